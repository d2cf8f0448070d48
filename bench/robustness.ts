// `npx tsx bench/robustness.ts [--n 50] [--size 8x5] [--time 0.3] [--seed 2024] [--no-skin]`
//
// 1. Neighbour skin: the same cascade (500 eV Ar, normal incidence, 12x7 sheet, 0.3 ps, Wen SW + ZBL) run with the
//    neighbour list rebuilt on every step (skin 0) and with Verlet skins of 1 and 2 Å, interleaved, 3 rounds;
//    reports the median wall time of each and the speed-up (the trajectories must be identical to ~1e-9 eV).
// 2. Robustness (issue 4 acceptance): N random impacts per species (S, Mo, Ar, Au), energy log-uniform in
//    10 eV - 10 keV, polar angle uniform in 0-45 deg (random azimuth), impact point random (irreducible triangle
//    at normal incidence, primitive cell otherwise), start 3 Å above the top S plane, Berendsen border strip
//    (4 Å, T = 0), adaptive dt (Xmax 0.05 Å, automatic Emax), classical potential (Wen 2017 SW + ZBL).
//    A run passes when it finishes its time with finite positions, velocities, forces and energies and with every
//    atom present; runs stopped by PotentialRangeError (atoms closer than supported) are counted separately.
// Prints a summary and, as the last line, one JSON object.
import { cpus } from 'node:os';
import { runCascade } from '../src/md/cascade.ts';
import { makeRng } from '../src/md/random.ts';
import { SwZblPotential } from '../src/potential/classical/sw.ts';
import { PotentialRangeError } from '../src/potential/types.ts';

const LAT = { a: 3.1957, t: 3.1938 }; // Wen 2017 SW relaxed (test/classical/sw.test.ts)
const argv = process.argv.slice(2);
const opt = (k: string, d: string): string => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : d; };
const N = Number(opt('n', '50'));
const [NX, NY] = opt('size', '8x5').split('x').map(Number);
const TIME = Number(opt('time', '0.3'));
const SEED = Number(opt('seed', '2024'));
const results: Record<string, unknown> = { machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`, node: process.version };

// 1. Neighbour skin.
if (!argv.includes('--no-skin')) {
  const skins = [0, 1, 2];
  const times: Record<number, number[]> = { 0: [], 1: [], 2: [] };
  const info: Record<number, { steps: number; builds: number; reuses: number; finalEnergy: number }> = {};
  for (let round = 0; round < 3; round++) {
    for (const skin of skins) {
      const pot = new SwZblPotential({ skin });
      const t0 = performance.now();
      const r = await runCascade({
        potential: pot, nx: 12, ny: 7, lattice: LAT, seed: 3, time: 0.3,
        projectile: { kind: 'ion', species: 'Ar', energy: 500, impact: [19, 19], height: 3 },
        thermostat: { kind: 'berendsen', T: 0, tau: 0.05, width: 4 },
      });
      times[skin].push((performance.now() - t0) / 1000);
      info[skin] = { steps: r.steps, builds: pot.verlet.builds, reuses: pot.verlet.reuses, finalEnergy: r.energy[r.energy.length - 1].total };
    }
  }
  const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
  const atoms = 12 * 7 * 6 + 1;
  const out: Record<string, unknown> = {};
  for (const skin of skins) {
    const t = med(times[skin]);
    out[`skin_${skin}`] = { seconds: +t.toFixed(3), atom_steps_per_s: Math.round((atoms * info[skin].steps) / t), ...info[skin], speedup_vs_skin0: +(med(times[0]) / t).toFixed(3) };
    console.log(`skin ${skin} Å: ${info[skin].steps} steps, median ${t.toFixed(2)} s (${times[skin].map((x) => x.toFixed(2)).join(', ')}), ` +
      `${info[skin].builds} builds / ${info[skin].reuses} reuses, speed-up vs skin 0: ${(med(times[0]) / t).toFixed(2)}x, final E ${info[skin].finalEnergy.toFixed(9)} eV`);
  }
  const dE = Math.max(...skins.map((s) => Math.abs(info[s].finalEnergy - info[0].finalEnergy)));
  out.max_final_energy_difference_eV = dE;
  console.log(`largest difference of the final total energy between skins: ${dE.toExponential(2)} eV`);
  results.neighbor_skin = { case: '500 eV Ar, normal incidence, 12x7 sheet (505 atoms), 0.3 ps', ...out };
}

// 2. Robustness sweep.
const pot = new SwZblPotential();
const rng = makeRng(SEED);
const species = ['S', 'Mo', 'Ar', 'Au'];
const summary: Record<string, unknown> = {};
let totalFail = 0;
const tAll = performance.now();
for (const sp of species) {
  let ok = 0, rangeStops = 0, nonFinite = 0, lost = 0, otherErrors = 0, steps = 0, maxRelDrift = 0, sputtered = 0, pores = 0;
  const fates: Record<string, number> = {};
  const failures: string[] = [];
  const t0 = performance.now();
  for (let k = 0; k < N; k++) {
    const energy = 10 * Math.pow(1000, rng.uniform());
    const polar = 45 * rng.uniform();
    const seed = 1000 * (species.indexOf(sp) + 1) + k;
    const label = `${sp} ${energy.toFixed(1)} eV polar ${polar.toFixed(1)} seed ${seed}`;
    let natoms = -1, finite = true;
    try {
      const r = await runCascade({
        potential: pot, nx: NX, ny: NY, lattice: LAT, seed, time: TIME,
        projectile: { kind: 'ion', species: sp, energy, polar, randomImpact: true, height: 3 },
        thermostat: { kind: 'berendsen', T: 0, tau: 0.05, width: 4 },
        frameEvery: 25,
        onFrame: (st) => {
          natoms = st.mass.length;
          for (const x of [st.system.coord, st.vel, st.force]) for (let q = 0; q < x.length; q++) if (!Number.isFinite(x[q])) finite = false;
        },
      });
      const last = r.energy[r.energy.length - 1];
      const e = [last.ke, last.pe, last.total, r.maxAbsDrift];
      if (!finite || !e.every(Number.isFinite)) { nonFinite++; failures.push(`${label}: non-finite values`); continue; }
      if (natoms !== NX * NY * 6 + 1) { lost++; failures.push(`${label}: ${natoms} atoms`); continue; }
      if (r.time < TIME - 1e-12) { otherErrors++; failures.push(`${label}: stopped at ${r.time} ps`); continue; }
      ok++;
      steps += r.steps;
      maxRelDrift = Math.max(maxRelDrift, r.maxAbsDrift / energy);
      sputtered += r.damage.sputtered.total - r.damage.sputtered.ion;
      pores += r.damage.pores.length;
      fates[r.damage.ionFate] = (fates[r.damage.ionFate] ?? 0) + 1;
    } catch (err) {
      if (err instanceof PotentialRangeError) { rangeStops++; failures.push(`${label}: ${err.message}`); }
      else { otherErrors++; failures.push(`${label}: ${(err as Error).message}`); }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  totalFail += N - ok;
  summary[sp] = { runs: N, ok, rangeStops, nonFinite, lost, otherErrors, meanSteps: ok ? Math.round(steps / ok) : 0, maxAbsDriftOverEnergy: +maxRelDrift.toExponential(2), sputteredSheetAtoms: sputtered, pores, ionFate: fates, seconds: +secs.toFixed(1), failures };
  console.log(`${sp}: ${ok}/${N} ok, ${rangeStops} range stops, ${nonFinite} non-finite, ${lost} lost atoms, ${otherErrors} other; ` +
    `mean ${ok ? Math.round(steps / ok) : 0} steps, max |drift|/E ${maxRelDrift.toExponential(2)}, sputtered ${sputtered}, pores ${pores}, ` +
    `ion ${JSON.stringify(fates)}, ${secs.toFixed(1)} s`);
  for (const f of failures) console.log(`  FAIL ${f}`);
}
results.robustness = {
  protocol: `${N} impacts per species, 10 eV - 10 keV log-uniform, polar 0-45 deg, ${NX}x${NY} sheet (${NX * NY * 6} atoms), ${TIME} ps, Wen SW + ZBL (skin ${pot.skin} Å)`,
  seed: SEED, failures: totalFail, seconds: +((performance.now() - tAll) / 1000).toFixed(1), species: summary,
};
console.log(`robustness: ${species.length * N - totalFail}/${species.length * N} runs passed`);
console.log(JSON.stringify(results));
