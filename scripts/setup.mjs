#!/usr/bin/env node
// Installs what the app and its tests need on a fresh clone: npm packages (when node_modules is missing or
// older than package-lock.json) and, with --browser / --python, the Debian packages the tests use.
// Idempotent and quick when everything is present.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const args = new Set(process.argv.slice(2));
const sh = (cmd) => execSync(cmd, { stdio: 'inherit' });
const have = (bin) => {
  try { execSync(`command -v ${bin}`, { stdio: 'ignore' }); return true; } catch { return false; }
};

const lock = 'package-lock.json';
const stamp = 'node_modules/.package-lock.json';
if (!existsSync(stamp) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs + 1000)) {
  console.log('[setup] installing npm packages (npm ci)');
  sh('npm ci --no-audit --no-fund');
}

// Debian packages: binary that proves presence -> package names.
const debs = [];
if (args.has('--browser')) {
  debs.push(['/usr/bin/chromium', 'chromium']);
  // The Vulkan loader for Dawn in Node (the webgpu package): the engine's Node tests and `eval --backend webgpu`
  // run on Chromium's SwiftShader driver where there is no GPU.
  debs.push(['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', 'libvulkan1']);
}
if (args.has('--python')) {
  debs.push(['/usr/bin/lmp', 'lammps']);
  debs.push(['/usr/lib/python3/dist-packages/ase/__init__.py', 'python3-ase']);
  debs.push(['/usr/lib/python3/dist-packages/numpy/__init__.py', 'python3-numpy']);
  debs.push(['/usr/lib/python3/dist-packages/scipy/__init__.py', 'python3-scipy']);
  debs.push(['/usr/lib/python3/dist-packages/pytest/__init__.py', 'python3-pytest']);
  debs.push(['/usr/lib/python3/dist-packages/h5py/__init__.py', 'python3-h5py']);
  // The model factory's trainer (training/trainer, issue 7); its tests run a tiny model.
  debs.push(['/usr/lib/python3/dist-packages/torch/__init__.py', 'python3-torch']);
  debs.push(['/usr/lib/python3/dist-packages/yaml/__init__.py', 'python3-yaml']);
  // training/report.py (the model's validation report) draws its plots with matplotlib; its end-to-end test needs it.
  debs.push(['/usr/lib/python3/dist-packages/matplotlib/__init__.py', 'python3-matplotlib']);
}
const missing = debs.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
if (missing.length) {
  if (!have('apt-get')) {
    console.error(`[setup] missing Debian packages ${missing.join(' ')} and no apt-get: install them by hand`);
    process.exit(1);
  }
  const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';
  console.log(`[setup] installing Debian packages: ${missing.join(' ')}`);
  sh(`${sudo}apt-get update -qq`);
  sh(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${missing.join(' ')}`);
}
