// Pair-table construction against SciPy's CubicSpline (clamped), the routine DeePMD-kit v3 itself uses, including
// the extension of a table that ends before rcut.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPairTable, parseTableText } from '../../src/model/pairtable.ts';
import { tableValue } from '../../src/potential/cpu/dp.ts';
import { maxAbsDiff } from '../helpers.ts';

const PY = '/usr/bin/python3';
const haveScipy = existsSync(PY) && (() => { try { execFileSync(PY, ['-c', 'import scipy']); return true; } catch { return false; } })();
if (!haveScipy) console.warn('!!! /usr/bin/python3 with scipy not found: pair-table cross-check SKIPPED (npm test installs python3-scipy) !!!');

// Two types: columns (0,0), (0,1), (1,1); values decay but are not zero at the end (extension by a cubic).
const rows: number[][] = [];
for (let k = 0; k <= 80; k++) {
  const r = 0.2 + 0.05 * k;
  rows.push([r, 50 * Math.exp(-2 * r), 30 * Math.exp(-1.5 * r) + 0.1 * Math.sin(r), 10 / (r * r)]);
}
const text = rows.map((r) => r.join(' ')).join('\n');

const SCRIPT = `
import sys, json, numpy as np
from scipy.interpolate import CubicSpline
v = np.loadtxt(sys.stdin); rcut = float(sys.argv[1])
rmin, rmax, hh = v[0,0], v[-1,0], v[1,0]-v[0,0]
upper = v.shape[0]-1; rcut_idx = int(np.ceil(rcut/hh - rmin/hh)); n = rcut_idx-upper
pad = np.zeros((n, v.shape[1])); pad[:,0] = np.linspace(rmax+hh, rmax+hh*n, n)
slope = v[-1,1:]-v[-2,1:]; gp = -2 if pad[-1,0]/hh - rmax/hh >= 2 else -1
cs = CubicSpline([v[-1,0], pad[gp,0]], np.stack((v[-1,1:], pad[gp,1:])), bc_type=((1, slope), (1, np.zeros_like(slope))))
pad[:,1:] = cs(pad[:,0]); pad = pad if gp == -1 else pad[:-1]
v = np.concatenate((v, pad)); ns = v.shape[0]-1; nt = 2; out = np.zeros(nt*nt*4*ns); col = 1
for t0 in range(nt):
  for t1 in range(t0, nt):
    vv = v[:,col]; dd = CubicSpline(v[:,0], vv, bc_type='clamped')(v[:,0], 1)*hh; col += 1
    blk = np.zeros(4*ns)
    for i in range(ns):
      blk[4*i:4*i+4] = [2*vv[i]-2*vv[i+1]+dd[i]+dd[i+1], -3*vv[i]+3*vv[i+1]-2*dd[i]-dd[i+1], dd[i], vv[i]]
    out[(t0*nt+t1)*4*ns:(t0*nt+t1+1)*4*ns] = blk; out[(t1*nt+t0)*4*ns:(t1*nt+t0+1)*4*ns] = blk
print(json.dumps({"nspline": ns, "data": out.tolist()}))
`;

describe.skipIf(!haveScipy)('pair table construction', () => {
  it('matches SciPy clamped splines with the extension to rcut', () => {
    const rcut = 6;
    const ours = buildPairTable(parseTableText(text), rcut);
    const ref = JSON.parse(execFileSync(PY, ['-c', SCRIPT, String(rcut)], { input: text }).toString()) as { nspline: number; data: number[] };
    expect(ours.nspline).toBe(ref.nspline);
    expect(maxAbsDiff(ours.data, ref.data)).toBeLessThan(1e-10);
    // The interpolant passes through the grid values and is continuous in value and slope at the knots.
    const [v0] = tableValue(ours, 0, 1, rows[10][0])!;
    expect(Math.abs(v0 - rows[10][2])).toBeLessThan(1e-12);
    const x = rows[20][0];
    const lo = tableValue(ours, 1, 1, x - 1e-9)!, hi = tableValue(ours, 1, 1, x + 1e-9)!;
    expect(Math.abs(lo[0] - hi[0])).toBeLessThan(1e-6);
    expect(Math.abs(lo[1] - hi[1])).toBeLessThan(1e-4);
    expect(tableValue(ours, 0, 0, rcut + 0.01)).toEqual([0, 0]);
  });

  it('rejects malformed tables with a clear message', () => {
    expect(() => parseTableText('0.1 1\n0.2 1\n0.4 1')).toThrow(/not uniform/);
    expect(() => parseTableText('0.1 1 2 3 4\n0.2 1 2 3 4\n0.3 1 2 3 4')).toThrow(/energy columns/);
    expect(() => parseTableText('0.1 x\n0.2 1\n0.3 1')).toThrow(/non-numeric/);
  });
});
