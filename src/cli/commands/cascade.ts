// `npm run cli -- cascade`: one ion impact (or PKA) on a monolayer MoS2 sheet; writes the run's summary as JSON
// and optionally the trajectory as extended XYZ.
import { writeFileSync, appendFileSync } from 'node:fs';
import { parseArgs, required, type ParsedArgs } from '../args.ts';
import { DEFAULT_MODEL, readModelFile } from '../defaultModel.ts';
import { runCascade, DEFAULT_DT_RESET, type CascadeOptions, type ProjectileSpec } from '../../md/cascade.ts';
import { jiang2015, SwZblPotential } from '../../potential/classical/sw.ts';
import type { Potential } from '../../potential/types.ts';
import type { MdState } from '../../md/integrator.ts';
import type { Setup } from '../../md/projectile.ts';

export const summary = 'one ion impact or PKA cascade in monolayer MoS2 ([--potential default|sw|FILE] --size NXxNY --ion Ar --energy EV --out R.json)';

export const USAGE = `npm run cli -- cascade [--potential (default | FILE | sw | sw-jiang)] --size NXxNY (--ion SPECIES | --pka Mo|S-top|S-bottom) --energy EV
    [--polar DEG] [--azimuth DEG] [--impact X,Y | --random-impact] [--seed N] [--height A] [--time PS]
    [--temperature K [--equilibrate PS]] [--thermostat berendsen|langevin|none] [--border A] [--tau PS] [--T-bath K]
    [--xmax A (0.05)] [--dtmin PS (1e-7)] [--dtmax PS (1e-3)] [--emax EV (default 5e-3 x energy; 0 = off)]
    [--step-tol F (redo a step whose energy changes by > F x energy; default 1e-4 for DP models, 0 = off for sw)]
    [--cool EV] [--a A --t A] [--backend cpu|webgpu]
    --out RESULT.json [--traj FILE.extxyz] [--traj-every N] [--analyze-every N] [--sample-every N]
  default (also when --potential is left out) = the project's DP-Tab MoS2 model, models/mos2-dptab.json of this
  repository; FILE = another DeePMD model; both run on the CPU float64 reference, or with --backend webgpu on the GPU
  engine (compressed when its table error is within bounds; far faster on a real GPU).
  sw = Wen 2017 Stillinger-Weber + ZBL, sw-jiang = Jiang 2015 sw/mod + ZBL (the classical baselines, CPU).
  SPECIES: element symbol (He, Ne, Ar, Kr, Xe, Ga, Au, Mo, S, ...) or Z=<n>:<mass>. Angles: polar from the
  normal (0 = straight down), azimuth from +x. Impact X,Y is where the straight path crosses the Mo plane (Å).`;

export const FLAGS = ['random-impact'];

export async function loadPotential(spec: string, backend = 'cpu'): Promise<Potential> {
  if (backend !== 'cpu' && backend !== 'webgpu') throw new Error(`--backend ${backend}: use cpu or webgpu`);
  const classical = spec === 'sw' || spec === 'sw-wen' || spec === 'sw-jiang';
  if (classical && backend === 'webgpu') throw new Error('--backend webgpu runs DeePMD models; the classical potentials run on the CPU (--backend cpu)');
  if (spec === 'sw' || spec === 'sw-wen') return new SwZblPotential();
  if (spec === 'sw-jiang') return new SwZblPotential({ params: jiang2015() });
  const { loadModelFile } = await import('../../model/load.ts');
  const { DpCpuPotential } = await import('../../potential/cpu/dpPotential.ts');
  const file = readModelFile(spec);
  const model = await loadModelFile(file.bytes, file.fileName);
  const missing = ['Mo', 'S'].filter((e) => !model.typeMap.includes(e));
  if (missing.length) {
    throw new Error(`model ${file.fileName} has type_map [${model.typeMap.join(', ')}], without ${missing.join(' and ')}: it cannot describe the MoS2 sheet`);
  }
  if (backend === 'webgpu') {
    // Dawn through the `webgpu` package: a real GPU where one exists, SwiftShader (slow) otherwise.
    const { nodeDpPotential } = await import('../../potential/webgpu/nodeGpu.ts');
    return nodeDpPotential(model, { label: file.fileName });
  }
  return new DpCpuPotential(model, { label: file.fileName });
}

const num = (a: ParsedArgs, k: string, d?: number): number | undefined => {
  const v = a.opts.get(k);
  if (v === undefined) return d;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`--${k} ${v}: not a number`);
  return x;
};

export function parseSize(s: string): [number, number] {
  const m = /^(\d+)[xX](\d+)$/.exec(s);
  if (!m) throw new Error(`--size ${s}: expected NXxNY, e.g. 10x6 (orthogonal a x sqrt3 a cells; 6 atoms each)`);
  return [Number(m[1]), Number(m[2])];
}

/** Options shared with the yield command (everything except the projectile). */
export function commonOptions(a: ParsedArgs, pot: Potential): Omit<CascadeOptions, 'projectile'> {
  const [nx, ny] = parseSize(required(a, 'size', USAGE));
  const th = a.opts.get('thermostat') ?? 'berendsen';
  if (!['berendsen', 'langevin', 'none'].includes(th)) throw new Error(`--thermostat ${th}: berendsen, langevin or none`);
  const T = num(a, 'temperature', 0)!;
  const lat = a.opts.has('a') ? { a: num(a, 'a')!, t: num(a, 't', 3.12)! } : undefined;
  const cool = num(a, 'cool');
  return {
    potential: pot, nx, ny, lattice: lat, temperature: T, equilibrate: num(a, 'equilibrate', 0), seed: num(a, 'seed', 1)!,
    dtReset: {
      every: 1, xmax: num(a, 'xmax', DEFAULT_DT_RESET.xmax)!, tmin: num(a, 'dtmin', DEFAULT_DT_RESET.tmin!)!,
      tmax: num(a, 'dtmax', DEFAULT_DT_RESET.tmax!)!, emax: num(a, 'emax'),
    },
    thermostat: th === 'none' ? null : { kind: th as 'berendsen' | 'langevin', T: num(a, 'T-bath', T)!, tau: num(a, 'tau', 0.1)!, width: num(a, 'border', 5)! },
    time: num(a, 'time', 1)!,
    cool: cool !== undefined ? { ke: cool, minTime: 0.1 } : null,
    sampleEvery: num(a, 'sample-every', 20)!,
    // DP-Tab models: the per-atom table blend is a wall dt/reset cannot see coming (test/md/dpPotential.test.ts).
    stepEnergyTol: num(a, 'step-tol', pot instanceof SwZblPotential ? 0 : 1e-4),
  };
}

function extxyzFrame(st: MdState, setup: Setup): string {
  const c = st.system.cell!;
  const n = st.mass.length;
  const lines = [
    `${n}`,
    `Lattice="${Array.from(c).join(' ')}" Properties=species:S:1:pos:R:3:velo:R:3:site:I:1 pbc="T T F" time_ps=${st.time} step=${st.step} energy=${st.pe}`,
  ];
  for (let i = 0; i < n; i++) {
    const s = st.system.species[st.system.atype[i]];
    const x = st.system.coord, v = st.vel;
    lines.push(`${s} ${x[3 * i]} ${x[3 * i + 1]} ${x[3 * i + 2]} ${v[3 * i]} ${v[3 * i + 1]} ${v[3 * i + 2]} ${setup.site[i]}`);
  }
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.flags.has('help')) { process.stdout.write(USAGE + '\n'); return 0; }
  const out = required(a, 'out', USAGE);
  const pot = await loadPotential(a.opts.get('potential') ?? DEFAULT_MODEL, a.opts.get('backend') ?? 'cpu');
  const base = commonOptions(a, pot);
  const energy = num(a, 'energy');
  if (energy === undefined) throw new Error(`missing --energy\nusage: ${USAGE}`);
  let projectile: ProjectileSpec;
  if (a.opts.has('pka')) {
    const site = a.opts.get('pka')!;
    if (!['Mo', 'S-top', 'S-bottom'].includes(site)) throw new Error(`--pka ${site}: Mo, S-top or S-bottom`);
    projectile = { kind: 'pka', site: site as 'Mo', energy, polar: num(a, 'polar', 0), azimuth: num(a, 'azimuth', 0) };
  } else {
    const imp = a.opts.get('impact');
    let impact: [number, number] | undefined;
    if (imp) {
      const p = imp.split(',').map(Number);
      if (p.length !== 2 || p.some((x) => !Number.isFinite(x))) throw new Error(`--impact ${imp}: expected X,Y in Å`);
      impact = [p[0], p[1]];
    }
    projectile = {
      kind: 'ion', species: required(a, 'ion', USAGE), energy, polar: num(a, 'polar', 0), azimuth: a.opts.has('azimuth') ? num(a, 'azimuth') : undefined,
      impact, randomImpact: a.flags.has('random-impact') || !impact, height: num(a, 'height', 10),
    };
  }
  const traj = a.opts.get('traj');
  if (traj) writeFileSync(traj, '');
  const res = await runCascade({
    ...base, projectile,
    onFrame: traj ? (st, setup) => appendFileSync(traj, extxyzFrame(st, setup)) : undefined,
    frameEvery: num(a, 'traj-every', 50),
    analyzeEvery: num(a, 'analyze-every', 200),
  });
  writeFileSync(out, JSON.stringify(res, null, 1));
  const d = res.damage;
  process.stdout.write(
    `${res.potential}; sheet ${res.sheet.nx}x${res.sheet.ny} (${res.sheet.atoms} atoms, a = ${res.sheet.a.toFixed(4)} Å, t = ${res.sheet.t.toFixed(4)} Å)\n` +
      `${res.steps} steps, ${(res.time * 1000).toFixed(1)} fs (${res.stopReason}), ${res.wallSeconds.toFixed(1)} s wall; max |energy drift| ${res.maxAbsDrift.toExponential(2)} eV\n` +
      `sputtered: ${d.sputtered.total} (Mo ${d.sputtered.byOrigin.Mo}, S-top ${d.sputtered.byOrigin['S-top']}, S-bottom ${d.sputtered.byOrigin['S-bottom']}); ion ${d.ionFate}\n` +
      `vacancies ${d.vacancies.total} (Mo ${d.vacancies.Mo}, S ${d.vacancies.S}), interstitials/adatoms ${d.interstitials.total}, ` +
      `complexes ${JSON.stringify(d.complexCounts)}, pores ${d.pores.length}${d.pores.length ? ` (d_eff ${d.pores.map((p) => `${p.diameter.toFixed(2)} (by atoms ${p.diameterAtoms.toFixed(2)})`).join(', ')} Å)` : ''}\n` +
      `written ${out}${traj ? ` and ${traj}` : ''}\n`,
  );
  return 0;
}
