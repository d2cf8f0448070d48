import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/md/cascade';
import { SwZblPotential } from '../../src/potential/classical/sw';
import { sweepLabel, sweepProjectile, type BatchSpec } from '../../src/worker/batchProtocol';

const SPEC: Omit<BatchSpec, 'modelFile'> = {
  model: 'sw-wen2017', species: 'Ar', energies: [100], impacts: 3, nx: 4, ny: 3, temperature: 0, border: 0,
  polar: 30, azimuth: 15, time: 0.001, seed: 7,
};

describe('yield sweeps of ions and of PKAs', () => {
  it('an ion sweep lands ions at random points; a PKA sweep recoils the chosen site at random azimuths', () => {
    expect(sweepProjectile(SPEC, 200)).toEqual({ kind: 'ion', species: 'Ar', energy: 200, polar: 30, azimuth: 15, randomImpact: true });
    expect(sweepProjectile({ ...SPEC, species: 'S', pkaSite: 'S-top' }, 80)).toEqual(
      { kind: 'pka', site: 'S-top', energy: 80, polar: 30, azimuth: 15, randomAzimuth: true });
    // along the normal the azimuth means nothing: kept as set
    expect(sweepProjectile({ ...SPEC, species: 'Mo', pkaSite: 'Mo', polar: 0 }, 80)).toMatchObject({ randomAzimuth: false });
    expect(sweepLabel(SPEC)).toBe('Ar ions');
    expect(sweepLabel({ species: 'S', pkaSite: 'S-bottom' })).toBe('S-bottom PKAs');
  });

  it('a random PKA azimuth follows the seed and keeps the polar angle', async () => {
    const run = (seed: number) => runCascade({
      potential: new SwZblPotential(), nx: 4, ny: 3, lattice: { a: 3.1966, t: 3.1922 }, seed, time: 0.0005, thermostat: null,
      projectile: sweepProjectile({ ...SPEC, species: 'S', pkaSite: 'S-top' }, 50),
    });
    const [a, b, a2] = [await run(1), await run(2), await run(1)];
    const az = (r: typeof a) => r.projectile.azimuth as number;
    expect(az(a)).toBeGreaterThanOrEqual(0);
    expect(az(a)).toBeLessThan(360);
    expect(az(a)).not.toBeCloseTo(az(b), 3);
    expect(az(a2)).toBe(az(a));
    expect(a.projectile.polar).toBe(30);
  });
});
