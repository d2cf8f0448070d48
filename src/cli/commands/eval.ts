// `npm run cli -- eval [--model default|FILE] [--table FILE --sw-rmin A --sw-rmax B --alpha C] --config CONFIG.json
// [--backend cpu|webgpu] [--compress auto|on|off]`: energy, atomic energies, forces, virial and atomic virial as one
// JSON object (17 significant digits; the webgpu backend computes in float32 on the GPU through Dawn, or on
// SwiftShader where there is no GPU, and says which on stderr). CONFIG.json holds coord (flat, Å), box (9 numbers, rows are cell vectors, or null) and atype
// (indices into the model's type_map), as in DeePMD-kit's test vectors; optionally fparam and aparam.
// Without --model (or with --model default) it evaluates the project's DP-Tab MoS2 model, models/mos2-dptab.json,
// like every other command and the app, and says so on stderr.
import { readFileSync } from 'node:fs';
import { loadModelWithTable } from '../../model/load.ts';
import { readModelFile } from '../defaultModel.ts';
import { evaluateDp } from '../../potential/cpu/dp.ts';
import { parseArgs, required } from '../args.ts';
import type { DpModel } from '../../model/types.ts';
import type { EvalResult, System } from '../../potential/types.ts';

export const summary = 'evaluate a model on a configuration ([--model default|FILE] --config CONFIG.json [--table FILE])';
const USAGE = `npm run cli -- eval [--model default|FILE] [--table FILE --sw-rmin 1.0 --sw-rmax 1.2 --alpha 0.1] --config CONFIG.json [--backend cpu|webgpu] [--compress auto|on|off]
  default (also when --model is left out) = the project's DP-Tab MoS2 model, models/mos2-dptab.json of this repository`;

function numbers(v: unknown, what: string, len?: number): Float64Array {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new Error(`config: ${what} must be a list of finite numbers`);
  if (len !== undefined && v.length !== len) throw new Error(`config: ${what} must have ${len} numbers, has ${v.length}`);
  return Float64Array.from(v as number[]);
}

/** JSON with every float printed to 17 significant digits. */
const full = (x: number) => (Number.isFinite(x) ? x.toPrecision(17).replace(/\.?0+(e|$)/, '$1') : 'null');
const arr = (a: ArrayLike<number>) => `[${Array.from(a, full).join(', ')}]`;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const configFile = required(a, 'config', USAGE);
  const backend = a.opts.get('backend') ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu') throw new Error(`--backend ${backend} is unknown; use cpu or webgpu`);
  const compressOpt = a.opts.get('compress') ?? 'auto';
  const compress = ({ auto: 'auto', on: true, off: false } as const)[compressOpt as 'auto'];
  if (compress === undefined) throw new Error(`--compress ${compressOpt}: use auto, on or off`);
  const tableFile = a.opts.get('table');
  const file = readModelFile(a.opts.get('model'));
  if (!a.opts.has('model')) process.stderr.write(`model: ${file.path} (the built-in default; --model FILE for another)\n`);
  const model = await loadModelWithTable(
    file,
    tableFile
      ? { text: readFileSync(tableFile, 'utf8'), switch: { swRmin: Number(a.opts.get('sw-rmin') ?? 1.0), swRmax: Number(a.opts.get('sw-rmax') ?? 1.2), alpha: Number(a.opts.get('alpha') ?? 0.1) } }
      : undefined,
  );
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new Error(`config ${configFile}: ${(e as Error).message}`);
  }
  const coord = numbers(cfg.coord, 'coord');
  const n = coord.length / 3;
  if (!Number.isInteger(n)) throw new Error('config: coord length must be a multiple of 3');
  const atype = Int32Array.from(numbers(cfg.atype, 'atype', n));
  const box = cfg.box === null || cfg.box === undefined ? null : numbers(cfg.box, 'box', 9);
  const input = {
    coord, atype, cell: box, pbc: [true, true, true] as [boolean, boolean, boolean],
    fparam: cfg.fparam ? numbers(cfg.fparam, 'fparam') : undefined,
    aparam: cfg.aparam ? numbers(cfg.aparam, 'aparam') : undefined,
  };
  for (const t of atype) if (!(t >= 0 && t < model.typeMap.length)) throw new Error(`config: atype ${t} is not a type of this model (${model.typeMap.join(', ')})`);
  const r = backend === 'cpu' ? evaluateDp(model, input) : await evaluateWebGpu(model, input, compress);
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(
    `{"energy": ${full(r.energy)}, "atom_energy": ${arr(r.atomEnergy)}, "force": ${arr(r.force)}, "virial": ${arr(r.virial)}, "atom_virial": ${arr(r.atomVirial)}}\n`,
  );
  return 0;
}

async function evaluateWebGpu(model: DpModel, input: Omit<System, 'species'>, compress: boolean | 'auto'): Promise<EvalResult> {
  const { nodeDpPotential } = await import('../../potential/webgpu/nodeGpu.ts');
  const pot = await nodeDpPotential(model, { compress });
  try {
    return await pot.compute({ ...input, species: model.typeMap });
  } finally {
    pot.dispose();
  }
}
