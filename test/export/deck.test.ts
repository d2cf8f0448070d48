// The LAMMPS deck: its text for the classical and DP potentials, and the classical deck run in `lmp` against
// our engine's own run of the same scenario (runCascade: SW + ZBL overlay, border Berendsen, dt/reset with
// emax, ion above a thermal sheet): same initial potential energy, same dt sequence, time and energies.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idRanges, lammpsDeck, type ScenarioSpec } from '../../src/export/lammpsDeck.ts';
import { runCascade } from '../../src/md/cascade.ts';
import type { Setup } from '../../src/md/projectile.ts';
import { buildSheet } from '../../src/physics/lattice.ts';
import { SwZblPotential, wen2017 } from '../../src/potential/classical/sw.ts';
import { sheetTrajectory } from './fixtures.ts';
import { hasLmp, lammps, tempDir } from './tools.ts';

const A = 3.1966, T = 3.1922;

function specFor(setup: Setup, over: Partial<ScenarioSpec> = {}): ScenarioSpec {
  return {
    potential: { kind: 'sw', params: wen2017(), zbl: { rin: 1, rc: 2 }, foreign: { rin: 1, rc: 2 } },
    cutoff: 5.5466, sheet: buildSheet({ a: A, t: T, nx: 3, ny: 2 }), setup,
    dtReset: { every: 1, tmin: 1e-7, tmax: 1e-3, xmax: 0.05, emax: 2.5 }, thermostat: { kind: 'berendsen', T: 300, tau: 0.1, width: 2 },
    time: 1, ...over,
  };
}

describe('LAMMPS deck text', () => {
  it('id ranges', () => {
    expect(idRanges(Uint8Array.from([1, 1, 0, 1, 0, 1, 1, 1]))).toEqual(['1:2', '4', '6:8']);
    expect(idRanges(new Uint8Array(3))).toEqual([]);
  });

  it('classical: sw + zbl overlay (one zbl when the ranges agree, two otherwise), groups, fixes, halt, dump', () => {
    const { setup } = sheetTrajectory(1);
    const d = lammpsDeck(specFor(setup, { cool: { ke: 0.5, minTime: 0.2 } }));
    expect(Object.keys(d.files).sort()).toEqual(['MoS2.sw', 'data.cascade', 'in.cascade']);
    const s = d.input;
    expect(s).toContain('boundary p p m');
    expect(s).toContain('pair_style hybrid/overlay sw zbl 1 2\npair_coeff * * sw MoS2.sw Mo S NULL\npair_coeff 1 1 zbl 42 42\n');
    expect(s).toContain('pair_coeff 3 3 zbl 18 18');
    expect(s).toContain('group sheet id 1:36\ngroup projectile id 37\ngroup border id ');
    expect(s).toContain('fix thermostat border temp/berendsen 300 300 0.1\nfix_modify thermostat temp tborder');
    expect(s).toContain('compute_modify tborder extra/dof 0');
    expect(s).toContain('fix dtreset dtgroup dt/reset 1 1e-7 0.001 0.05 emax 2.5 units box');
    expect(s).toContain('fix stop all halt 1 v_tcas >= ');
    expect(s).toContain('fix cool all halt 10 v_cooled == 1 error continue');
    expect(s).toContain('dump_modify traj element Mo S Ar sort id time yes');
    expect(s.indexOf('fix thermostat')).toBeLessThan(s.indexOf('fix dtreset')); // engine order: thermostat, then dt/reset
    expect(d.files['data.cascade']).toContain('Velocities');
    const two = lammpsDeck(specFor(setup, { potential: { kind: 'sw', params: wen2017(), zbl: { rin: 1, rc: 2 }, foreign: { rin: 3, rc: 4 } } })).input;
    expect(two).toContain('pair_style hybrid/overlay sw zbl 1 2 zbl 3 4');
    expect(two).toContain('pair_coeff 1 2 zbl 1 42 16');
    expect(two).toContain('pair_coeff 2 3 zbl 2 16 18');
    expect(two).not.toContain('pair_coeff 1 3 zbl 1');
  });

  it('DP: pair_style deepmd with NULL for foreign types and ZBL for their pairs; plain deepmd without foreign atoms', () => {
    const { setup } = sheetTrajectory(1);
    const dp = lammpsDeck(specFor(setup, { potential: { kind: 'deepmd', model: 'mos2-dptab.pb', typeMap: ['Mo', 'S'], foreign: { rin: 3, rc: 4 } }, thermostat: null }));
    expect(dp.input).toContain('pair_style hybrid/overlay deepmd mos2-dptab.pb zbl 3 4\npair_coeff * * deepmd Mo S NULL\npair_coeff 1 3 zbl 42 18\npair_coeff 2 3 zbl 16 18\npair_coeff 3 3 zbl 18 18\n');
    expect(dp.input).not.toContain('pair_coeff 1 1 zbl');
    expect(dp.input).not.toContain('border');
    expect(Object.keys(dp.files)).not.toContain('MoS2.sw');
    const sheetOnly = buildSheet({ a: A, t: T, nx: 3, ny: 2 });
    const pka: Setup = { system: sheetOnly.system, vel: new Float64Array(108), mass: Float64Array.from(sheetOnly.system.atype, (t) => (t === 0 ? 95.95 : 32.06)), projectile: 5, site: sheetOnly.site, Z: new Float64Array(36), info: {} };
    const plain = lammpsDeck(specFor(pka, { potential: { kind: 'deepmd', model: 'm.pb', typeMap: ['Mo', 'S'], foreign: { rin: 3, rc: 4 } } }));
    expect(plain.input).toContain('pair_style deepmd m.pb\npair_coeff * * Mo S\n');
    expect(plain.notes.join('\n')).not.toContain('convert-backend');
    // a v3 serialised model (the built-in one): the deck names the converted file and says how to make it
    const v3 = lammpsDeck(specFor(pka, { potential: { kind: 'deepmd', model: 'mos2-dptab.json', typeMap: ['Mo', 'S'], foreign: { rin: 3, rc: 4 } } }));
    expect(v3.input).toContain('pair_style deepmd mos2-dptab.pth\n');
    expect(v3.notes.join('\n')).toContain('dp --pt convert-backend mos2-dptab.json mos2-dptab.pth');
  });

  it("'create' mode: velocity create, equilibration, projectile velocity after it", () => {
    const { setup } = sheetTrajectory(1);
    const d = lammpsDeck(specFor(setup, { velocities: 'create', temperature: 300, equilibrate: 0.5, seed: 42 }));
    expect(d.files['data.cascade']).not.toContain('Velocities');
    const s = d.input;
    expect(s).toContain('velocity sheet create 300 42 mom yes rot no dist gaussian');
    expect(s).toContain('fix eq_ber sheet temp/berendsen 300 300 0.05');
    expect(s.indexOf('velocity sheet zero linear')).toBeLessThan(s.indexOf('velocity projectile set'));
    expect(() => lammpsDeck(specFor(setup, { velocities: 'create', equilibrate: 0.5 }))).toThrow(/temperature/);
    // A border at 0 K: LAMMPS's Berendsen would stop, so it starts at 0.01 K (and says so).
    const cold = lammpsDeck(specFor(setup, { velocities: 'create' }));
    expect(cold.input).toContain('velocity border create 0.01 2 mom yes rot no dist gaussian');
    expect(cold.notes.join(' ')).toContain('0.01 K');
    expect(s).not.toContain('velocity border create');
  });
});

describe.skipIf(!hasLmp)('the classical deck runs in LAMMPS like our engine', () => {
  it('Ar 200 eV on a 300 K sheet, border Berendsen, dt/reset with emax: first 20 steps agree', async () => {
    const pot = new SwZblPotential({ shortRange: { mode: 'overlay', rin: 1.0, rc: 2.0 }, foreignRin: 1.0, foreignRc: 2.0, noRjkCutoff: true });
    let first: Setup | null = null;
    const res = await runCascade({
      potential: pot, nx: 4, ny: 3, lattice: { a: A, t: T }, temperature: 300, seed: 3,
      projectile: { kind: 'ion', species: 'Ar', energy: 200, polar: 20, azimuth: 30, impact: [6.1, 8.0], height: 4 },
      thermostat: { kind: 'berendsen', T: 300, tau: 0.1, width: 2.5 }, time: 0.01, sampleEvery: 1, frameEvery: 1000,
      onFrame: (st, setup) => {
        if (!first) first = { ...setup, system: { ...setup.system, coord: Float64Array.from(st.system.coord) }, vel: Float64Array.from(st.vel) };
      },
    });
    expect(res.steps).toBeGreaterThan(20);
    const deck = lammpsDeck({
      potential: { kind: 'sw', params: wen2017(), zbl: { rin: 1, rc: 2 }, foreign: { rin: 1, rc: 2 } },
      cutoff: pot.cutoff, sheet: buildSheet({ a: A, t: T, nx: 4, ny: 3 }), setup: first!,
      dtReset: res.dtReset, thermostat: res.thermostat, time: 0.01, thermoEvery: 1, dumpEvery: 10, maxSteps: 20,
    });
    const dir = tempDir();
    for (const [name, text] of Object.entries(deck.files)) writeFileSync(join(dir, name), text);
    const log = lammps(dir, 'in.cascade');
    const lines = log.split('\n');
    const h = lines.findIndex((l) => /^\s*Step\s+v_tcas/.test(l));
    const cols = lines[h].trim().split(/\s+/);
    const rows: number[][] = [];
    for (let k = h + 1; k < lines.length; k++) {
      const f = lines[k].trim().split(/\s+/).map(Number);
      if (f.length !== cols.length || f.some((x) => !Number.isFinite(x))) break;
      rows.push(f);
    }
    expect(rows.length).toBe(21);
    const c = (name: string) => cols.indexOf(name);
    // Initial potential energy: same as our SwZblPotential.
    expect(Math.abs(rows[0][c('PotEng')] - res.energy[0].pe)).toBeLessThan(1e-6);
    let maxPe = 0, maxDt = 0, maxE = 0;
    for (let s = 0; s <= 20; s++) {
      const e = res.energy[s], r = rows[s];
      expect(r[c('Step')]).toBe(e.step);
      maxPe = Math.max(maxPe, Math.abs(r[c('PotEng')] - e.pe));
      maxDt = Math.max(maxDt, Math.abs(r[c('Dt')] - e.dt) / e.dt);
      maxE = Math.max(maxE, Math.abs(r[c('TotEng')] - (e.ke + e.pe)), Math.abs(r[c('Econserve')] - e.total));
      expect(Math.abs(r[c('v_tcas')] - e.time)).toBeLessThan(1e-9);
    }
    console.log(`deck vs engine, 20 steps: max |dPE| ${maxPe.toExponential(2)} eV, max rel dt ${maxDt.toExponential(2)}, max |dE| ${maxE.toExponential(2)} eV`);
    expect(maxPe).toBeLessThan(1e-6);
    expect(maxDt).toBeLessThan(1e-6);
    expect(maxE).toBeLessThan(1e-6);
    // The thermostat did act (it exchanged energy), and the dump was written.
    expect(Math.abs(rows[20][c('Ecouple')])).toBeGreaterThan(1e-6);
    expect(readFileSync(join(dir, 'cascade.dump'), 'utf8').match(/ITEM: TIMESTEP/g)!.length).toBe(3);
  });

  it("'create' mode deck runs: velocity create, equilibration, projectile, halt on time (and the cooling halt parses)", () => {
    const { setup } = sheetTrajectory(1);
    const deck = lammpsDeck(specFor(setup, {
      velocities: 'create', temperature: 300, equilibrate: 0.005, seed: 7, time: 0.004, cool: { ke: 1e-9, minTime: 0.001 },
      thermoEvery: 5, open: 'f', thermostat: { kind: 'langevin', T: 300, tau: 0.1, width: 2 },
    }));
    const dir = tempDir();
    for (const [name, text] of Object.entries(deck.files)) writeFileSync(join(dir, name), text);
    const log = lammps(dir, 'in.cascade');
    const lines = log.split('\n');
    const h = lines.map((l, k) => (/^\s*Step\s+v_tcas/.test(l) ? k : -1)).filter((k) => k >= 0).pop()!;
    const rows: number[][] = [];
    for (let k = h + 1; k < lines.length; k++) {
      if (lines[k].startsWith('Loop time')) break;
      const f = lines[k].trim().split(/\s+/).map(Number);
      if (f.length >= 5 && f.every((x) => Number.isFinite(x))) rows.push(f); // skips the "Fix halt ... met" line
    }
    const last = rows[rows.length - 1];
    expect(last[1]).toBeGreaterThanOrEqual(0.004 - 1e-12);
    expect(last[1]).toBeLessThan(0.0045);
    expect(log).toContain('Fix halt condition for fix-id stop met');
    // The ion got its velocity after the equilibration: kinetic energy ~ 500 eV at the start of the cascade.
    expect(rows[0][4]).toBeGreaterThan(499);
  });
});

