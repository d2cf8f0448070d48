#!/usr/bin/env node
// The whole test suite: unit and reference tests (Vitest), the production build, the browser tests
// (Playwright + Debian Chromium with WebGPU on SwiftShader), and the model factory's pytest tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  ['unit and reference tests', 'npx', ['vitest', 'run']],
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['production build', 'npx', ['vite', 'build', '--logLevel', 'warn']],
  ['browser tests', 'npx', ['playwright', 'test']],
];
if (existsSync('training/tests')) {
  steps.push(['model factory tests', '/usr/bin/python3', ['-m', 'pytest', '-q', 'training/tests']]);
}
const failed = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed.push(name);
}
console.log(`\nsteps: ${steps.length - failed.length} passed, ${failed.length} failed` + (failed.length ? `: ${failed.join(', ')}` : ''));
process.exit(failed.length ? 1 : 0);
