import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordsToCsv, timeSeriesCsv, toCsv, yieldCsv } from '../../src/export/csv.ts';
import type { DamageSample, EnergySample } from '../../src/md/cascade.ts';
import { BOLTZ } from '../../src/md/units.ts';
import { hasAse, python, tempDir } from './tools.ts';

const energy: EnergySample[] = [0, 20, 40].map((step, k) => ({
  step, time: 0.001 * step, dt: 1e-3 / (k + 1), ke: 500 - k, pe: -300.5 + k / 3, thermostat: 0.01 * k, total: 199.5, drift: 1e-9 * k,
}));
const damage: DamageSample[] = [
  { step: 30, time: 0.03, sputtered: 1, vacancies: 2, interstitials: 0, displaced: 5, pores: 0, ionFate: 'transmitted' },
  { step: 40, time: 0.04, sputtered: 2, vacancies: 3, interstitials: 1, displaced: 6, pores: 1, ionFate: 'embedded, near "Mo"' },
];

describe('CSV', () => {
  it('quotes fields with commas, quotes and newlines; empty cells for missing and non-finite numbers', () => {
    expect(toCsv(['a', 'b,c'], [[1, 'x"y'], [NaN, 'p\nq'], [null, true]])).toBe('a,"b,c"\n1,"x""y"\n,"p\nq"\n,true\n');
    expect(recordsToCsv([{ a: 1, b: [1, 2] }, { c: 'z', a: 2 }])).toBe('a,b,c\n1,"[1,2]",\n2,,z\n');
  });

  it('time series: energies and damage merged by step, temperature from KE', () => {
    const text = timeSeriesCsv(energy, damage, { natoms: 100 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('step,time_ps,dt_ps,ke_eV,pe_eV,thermostat_eV,total_eV,drift_eV,temperature_K,sputtered,vacancies,interstitials,displaced,pores,ion_fate');
    expect(lines.length).toBe(5); // steps 0, 20, 30, 40
    expect(lines[3]).toBe('30,0.03,,,,,,,,1,2,0,5,0,transmitted');
    const T0 = (2 * 500) / (3 * 100 * BOLTZ);
    expect(lines[1]).toBe(`0,0,0.001,500,-300.5,0,199.5,0,${T0},,,,,,`);
    expect(lines[4].endsWith(',2,3,1,6,1,"embedded, near ""Mo"""')).toBe(true);
    expect(timeSeriesCsv(energy).split('\n')[0]).toBe('step,time_ps,dt_ps,ke_eV,pe_eV,thermostat_eV,total_eV,drift_eV');
  });

  it('yields: energy, mean, std error, n and extra columns', () => {
    const text = yieldCsv([
      { species: 'Ar', energy: 100, mean: 0.25, stdError: 0.05, n: 40, extra: { yield_S: 0.25 } },
      { species: 'Ar', energy: 500, mean: 1.1, stdError: NaN, n: 1, extra: { failed: 2 } },
    ]);
    expect(text).toBe('species,energy_eV,yield_mean,yield_std_error,n,yield_S,failed\nAr,100,0.25,0.05,40,0.25,\nAr,500,1.1,,1,,2\n');
    expect(yieldCsv([{ energy: 100, mean: 0, stdError: 0, n: 3 }])).toBe('energy_eV,yield_mean,yield_std_error,n\n100,0,0,3\n');
  });
});

describe.skipIf(!hasAse)('CSV read by Python', () => {
  it("python's csv module reads the time series back", () => {
    const dir = tempDir();
    const file = join(dir, 'ts.csv');
    writeFileSync(file, timeSeriesCsv(energy, damage, { natoms: 10 }));
    const rows = python<Record<string, string>[]>('import csv, json, sys\nprint(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="")))))', [file]);
    expect(rows.length).toBe(4);
    expect(rows[3].ion_fate).toBe('embedded, near "Mo"');
    expect(Number(rows[3].pe_eV)).toBe(energy[2].pe);
    expect(rows[2].pe_eV).toBe(''); // step 30: damage only
    expect(rows[1].sputtered).toBe(''); // step 20: energy only
  });
});
