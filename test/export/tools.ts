// External readers used by the export tests: ASE (Debian python3-ase) and LAMMPS (Debian lammps, `lmp`).
// Missing tools skip their tests with a loud message (the test cannot pass silently without them).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const hasAse = spawnSync(PYTHON, ['-c', 'import ase.io, numpy'], { stdio: 'ignore' }).status === 0;
export const hasLmp = spawnSync('lmp', ['-h'], { stdio: 'ignore' }).status === 0;
if (!hasAse) console.error('\n!!! python3-ase not found (/usr/bin/python3 -c "import ase"): the ASE read-back of exports is SKIPPED. apt-get install python3-ase !!!\n');
if (!hasLmp) console.error('\n!!! LAMMPS (lmp) not found: the LAMMPS read-back of exports is SKIPPED. apt-get install lammps !!!\n');

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'dptab-export-'));

/** Runs a Python script (given as text) with arguments; returns its stdout parsed as JSON. */
export function python<T = unknown>(script: string, args: string[], cwd?: string): T {
  const out = execFileSync(PYTHON, ['-c', script, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(out) as T;
}

/** Runs `lmp` on an input file in `dir`; returns the log text. */
export function lammps(dir: string, input: string): string {
  execFileSync('lmp', ['-in', input, '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'pipe' });
  return readFileSync(join(dir, 'log.lammps'), 'utf8');
}
