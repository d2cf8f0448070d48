// Minimal --key value / --flag option parsing shared by the CLI commands.

export interface ParsedArgs {
  opts: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

/** Parses argv; `flagNames` lists the options that take no value. */
export function parseArgs(argv: string[], flagNames: readonly string[] = []): ParsedArgs {
  const opts = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) opts.set(key, a.slice(eq + 1));
      else if (flagNames.includes(key)) flags.add(key);
      else {
        if (i + 1 >= argv.length) throw new Error(`option --${key} needs a value`);
        opts.set(key, argv[++i]);
      }
    } else positional.push(a);
  }
  return { opts, flags, positional };
}

/** The value of a required option, or a clear error. */
export function required(p: ParsedArgs, key: string, usage: string): string {
  const v = p.opts.get(key);
  if (v === undefined) throw new Error(`missing --${key}\nusage: ${usage}`);
  return v;
}
