import { describe, expect, it } from 'vitest';
import { runCascade } from '../md/cascade';
import type { MdState } from '../md/integrator';
import { relaxSheet } from '../physics/lattice';
import { SwZblPotential } from '../potential/classical/sw';
import { LiveSession } from './session';
import { DEFAULT_SETTINGS, type SimSettings } from './settings';

describe('LiveSession', () => {
  it('stepped in chunks, reproduces runCascade for the same scenario (same steps, positions, damage)', async () => {
    const pot = new SwZblPotential();
    const lattice = await relaxSheet(pot);
    const settings: SimSettings = {
      ...DEFAULT_SETTINGS,
      sample: { nx: 5, ny: 3, temperature: 0, border: 3 },
      projectile: { ...DEFAULT_SETTINGS.projectile, species: 'S', energy: 500 },
      run: { timeLimit: 0.08, stepsPerFrame: 7, seed: 3 },
    };
    const live = await LiveSession.create(pot, settings, lattice, 'test');
    let frames = 1;
    while (!live.done) { await live.advance(settings.run.stepsPerFrame); frames++; }
    const f = live.frame(live.analyze());

    let last: MdState | null = null;
    const ref = await runCascade({
      potential: pot, nx: 5, ny: 3, lattice, seed: 3, temperature: 0,
      projectile: { kind: 'ion', species: 'S', energy: 500, polar: 0, azimuth: 0, height: 10 },
      thermostat: { kind: 'berendsen', T: 0, tau: 0.1, width: 3 }, time: 0.08,
      onFrame: (st) => { last = st; }, frameEvery: 1,
    });
    expect(live.state.step).toBe(ref.steps);
    expect(frames).toBe(Math.ceil(ref.steps / 7) + 1);
    expect(Array.from(live.state.system.coord)).toEqual(Array.from(last!.system.coord));
    expect(f.damage!.sputtered.total).toBe(ref.damage.sputtered.total);
    expect(f.damage!.vacancies.total).toBe(ref.damage.vacancies.total);
    expect(f.coord).toBeInstanceOf(Float32Array);
    expect(f.coord.length).toBe(3 * live.info.natoms);
    expect(live.info.natoms).toBe(91);
    expect(f.series.time.length).toBeGreaterThan(1);
    expect(f.progress).toBe(1);
  });
});
