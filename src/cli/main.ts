#!/usr/bin/env node
// Command line: `npm run cli -- <command> [options]`. Each command lives in src/cli/commands/<command>.ts and
// exports `run(argv: string[]): Promise<number>` (the exit code) and `summary` (one line for the help).
// Errors go to stderr with a non-zero exit code; results go to stdout.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Command {
  run(argv: string[]): Promise<number>;
  summary: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const commandsDir = join(here, 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = commandNames();
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const lines = await Promise.all(
      names.map(async (n) => `  ${n.padEnd(10)} ${((await import(join(commandsDir, `${n}.ts`))) as Command).summary}`),
    );
    process.stdout.write(`usage: npm run cli -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
    return name ? 0 : 2;
  }
  if (!names.includes(name)) {
    process.stderr.write(`error: unknown command "${name}". Commands: ${names.join(', ')}\n`);
    return 2;
  }
  const cmd = (await import(join(commandsDir, `${name}.ts`))) as Command;
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
