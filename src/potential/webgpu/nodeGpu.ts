// WebGPU in Node through Dawn (the `webgpu` npm package), for the command line, the benchmarks and the engine's
// Node tests. Where no real GPU's Vulkan driver is installed, Chromium's SwiftShader is used, the same CPU
// implementation the headless browser tests run on (../shared/DESIGN.md §5). Node-only: never import from the app.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DpModel } from '../../model/types.ts';
import { createGpuContext, GpuUnavailableError, type GpuContext } from './device.ts';
import { WebGpuDpPotential, type WebGpuDpOptions } from './engine.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/** A GPU device node plus a Vulkan driver for it. */
function hasRealGpuDriver(): boolean {
  const icds = ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d) : []));
  if (existsSync('/dev/nvidia0')) return icds.some((f) => /nvidia/i.test(f));
  const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  return dri && icds.some((f) => /radeon|intel|amd/i.test(f));
}

let cached: Promise<GpuContext> | null = null;
let dawnInstance: GPU | null = null;

/** The shared Node GPU context (created once). `DPTAB_VULKAN_ICD` overrides the Vulkan driver. */
export function nodeGpuContext(): Promise<GpuContext> {
  if (cached) return cached;
  // The Vulkan loader wants a private runtime directory (it prints an error line per start without one).
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'dptab-xdg-'));
  if (process.env.DPTAB_VULKAN_ICD) process.env.VK_ICD_FILENAMES = process.env.DPTAB_VULKAN_ICD;
  else if (!process.env.VK_ICD_FILENAMES && !hasRealGpuDriver() && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  cached = (async () => {
    let mod: typeof import('webgpu');
    try {
      mod = await import('webgpu');
    } catch (e) {
      throw new GpuUnavailableError(`The 'webgpu' npm package (Dawn) could not be loaded (${(e as Error).message}); run npm install.`);
    }
    Object.assign(globalThis, mod.globals);
    // Keep the Dawn instance reachable for the life of the process: once garbage-collected it tears down the
    // Vulkan instance under live devices (random crashes in SwiftShader's threads).
    dawnInstance = mod.create([]);
    return createGpuContext(dawnInstance);
  })();
  return cached;
}

/** The WebGPU engine for a model on the Node GPU context, with one stderr line on the adapter and compression. */
export async function nodeDpPotential(model: DpModel, opts: WebGpuDpOptions = {}): Promise<WebGpuDpPotential> {
  const ctx = await nodeGpuContext();
  const pot = await WebGpuDpPotential.create(ctx, model, opts);
  const c = pot.compression;
  process.stderr.write(`webgpu: ${ctx.adapterName}${ctx.isFallback ? ' (CPU fallback: slow)' : ''}; ${pot.compressed ? 'compressed' : 'uncompressed'} embedding` +
    (c ? ` (table ${c.intervals.length} nets x ${c.intervals[0] ?? 0} intervals, max error G ${c.maxErrorG.toExponential(2)}, dG/ds ${c.maxErrorDG.toExponential(2)})` : '') + '\n');
  return pot;
}
