// Short-range pair tables in DeePMD-kit's text format (SPEC §6.2): a uniform r column, then ntypes(ntypes+1)/2
// energy columns ordered (0,0), (0,1), ..., (1,1), ... The stored form is cubic Hermite coefficients whose slopes
// come from a clamped cubic spline through the table after it is extended to rcut, as DeePMD-kit v3 builds it.
// Also: the analytic universal ZBL tabulated in the same form, for models that come without a table.
import { element } from '../physics/elements.ts';
import { zbl } from '../physics/zbl.ts';
import { check, ModelFormatError } from './errors.ts';
import type { Blend, DpModel, PairTable } from './types.ts';

/** Rows of the table: vdata[row] = [r, v_00, v_01, ...]. */
export type TableRows = number[][];

export function parseTableText(text: string): TableRows {
  const rows: TableRows = [];
  for (const [ln, line] of text.split(/\r?\n/).entries()) {
    const s = line.trim();
    if (!s || s.startsWith('#')) continue;
    const v = s.split(/\s+/).map(Number);
    if (v.some((x) => !Number.isFinite(x))) throw new ModelFormatError(`Pair table line ${ln + 1}: non-numeric value in "${s.slice(0, 60)}"`);
    if (rows.length && v.length !== rows[0].length) throw new ModelFormatError(`Pair table line ${ln + 1}: ${v.length} columns, earlier lines have ${rows[0].length}`);
    rows.push(v);
  }
  check(rows.length >= 3, 'Pair table: need at least 3 rows (r, then one energy column per type pair)');
  const ncol = rows[0].length - 1;
  const nt = Math.round((-1 + Math.sqrt(1 + 8 * ncol)) / 2);
  check(nt >= 1 && (nt * (nt + 1)) / 2 === ncol, `Pair table has ${ncol} energy columns; expected ntypes(ntypes+1)/2 (1, 3, 6, ...)`);
  const h = rows[1][0] - rows[0][0];
  check(h > 0, 'Pair table: the r column must increase');
  for (let k = 1; k < rows.length; k++) {
    if (Math.abs(rows[k][0] - rows[0][0] - k * h) > 1e-6 * Math.max(1, rows[k][0])) {
      throw new ModelFormatError(`Pair table: the r column is not uniform (row ${k + 1} has r = ${rows[k][0]}, expected ${rows[0][0] + k * h})`);
    }
  }
  return rows;
}

export const tableTypes = (rows: TableRows): number => Math.round((-1 + Math.sqrt(1 + 8 * (rows[0].length - 1))) / 2);

/** First derivatives at the knots of the clamped (zero end slopes) cubic spline through (x, y). */
function clampedSplineSlopes(x: number[], y: number[]): Float64Array {
  const n = x.length;
  // Tridiagonal system for the slopes m_i (continuity of the second derivative), m_0 = m_{n-1} = 0.
  const a = new Float64Array(n), b = new Float64Array(n), c = new Float64Array(n), d = new Float64Array(n);
  b[0] = 1; b[n - 1] = 1;
  for (let i = 1; i < n - 1; i++) {
    const h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
    a[i] = h1; b[i] = 2 * (h0 + h1); c[i] = h0;
    d[i] = 3 * (h1 * (y[i] - y[i - 1]) / h0 + h0 * (y[i + 1] - y[i]) / h1);
  }
  for (let i = 1; i < n; i++) { // Thomas algorithm
    const w = a[i] / b[i - 1];
    b[i] -= w * c[i - 1];
    d[i] -= w * d[i - 1];
  }
  const m = new Float64Array(n);
  m[n - 1] = d[n - 1] / b[n - 1];
  for (let i = n - 2; i >= 0; i--) m[i] = (d[i] - c[i] * m[i + 1]) / b[i];
  return m;
}

/** Extends the table to rcut as DeePMD-kit v3 does: zero rows, or a cubic decay when it has not reached zero. */
export function extendTable(rows: TableRows, rcut: number): TableRows {
  const out = rows.map((r) => r.slice());
  const rmin = rows[0][0];
  const h = rows[1][0] - rows[0][0];
  const last = rows[rows.length - 1];
  const rmax = last[0];
  if (rcut <= rmax) return out;
  const upper = rows.length - 1;
  const rcutIdx = Math.ceil(rcut / h - rmin / h);
  const npad = rcutIdx - upper;
  if (npad <= 0) return out;
  const pad = Array.from({ length: npad }, (_, k) => [rmax + h * (k + 1), ...new Array(last.length - 1).fill(0)]);
  if (last.slice(1).some((v) => v !== 0)) {
    // Cubic Hermite from (rmax, v_last) with slope (v_last - v_prev) (DeePMD-kit does not divide by h) to zero
    // with zero slope at the last grid point before rcut (or rmax + h when rcut is closer than 2h).
    const prev = rows[rows.length - 2];
    const gp = pad[npad - 1][0] / h - rmax / h >= 2 ? npad - 2 : npad - 1;
    const x1 = pad[gp][0];
    const L = x1 - rmax;
    for (let col = 1; col < last.length; col++) {
      const v0 = last[col];
      const m0 = last[col] - prev[col];
      for (const row of pad) {
        const t = (row[0] - rmax) / L;
        const h00 = 2 * t ** 3 - 3 * t ** 2 + 1, h10 = t ** 3 - 2 * t ** 2 + t;
        row[col] = h00 * v0 + h10 * L * m0;
      }
    }
    if (gp === npad - 2) pad.pop();
  }
  return out.concat(pad);
}

/** The stored coefficient form of a table (already extended). */
export function tableCoefficients(rows: TableRows): { rmin: number; h: number; nspline: number; ntypes: number; data: Float64Array } {
  const nt = tableTypes(rows);
  const rmin = rows[0][0];
  const h = rows[1][0] - rows[0][0];
  const nspline = rows.length - 1;
  const stride = 4 * nspline;
  const data = new Float64Array(nt * nt * stride);
  const x = rows.map((r) => r[0]);
  let col = 1;
  for (let t0 = 0; t0 < nt; t0++) {
    for (let t1 = t0; t1 < nt; t1++, col++) {
      const v = rows.map((r) => r[col]);
      const dd = clampedSplineSlopes(x, v).map((s) => s * h);
      const blk = new Float64Array(stride);
      for (let s = 0; s < nspline; s++) {
        blk[4 * s] = 2 * v[s] - 2 * v[s + 1] + dd[s] + dd[s + 1];
        blk[4 * s + 1] = -3 * v[s] + 3 * v[s + 1] - 2 * dd[s] - dd[s + 1];
        blk[4 * s + 2] = dd[s];
        blk[4 * s + 3] = v[s];
      }
      data.set(blk, (t0 * nt + t1) * stride);
      data.set(blk, (t1 * nt + t0) * stride);
    }
  }
  return { rmin, h, nspline, ntypes: nt, data };
}

/** A table in the v3 form for a model with this rcut. */
export function buildPairTable(rows: TableRows, rcut: number): PairTable {
  const c = tableCoefficients(extendTable(rows, rcut));
  return { ...c, rule: 'v3', rcut };
}

/** Grid values back from the coefficients (the v3 "vdata" of a table that only has coefficients). */
export function tableRowsFromCoefficients(t: PairTable): TableRows {
  const rows: TableRows = [];
  const stride = 4 * t.nspline;
  for (let s = 0; s <= t.nspline; s++) {
    const row = [t.rmin + s * t.h];
    for (let t0 = 0; t0 < t.ntypes; t0++) {
      for (let t1 = t0; t1 < t.ntypes; t1++) {
        const b = (t0 * t.ntypes + t1) * stride;
        row.push(s < t.nspline ? t.data[b + 4 * s + 3] : t.data[b + 4 * (s - 1)] + t.data[b + 4 * (s - 1) + 1] + t.data[b + 4 * (s - 1) + 2] + t.data[b + 4 * (s - 1) + 3]);
      }
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Universal ZBL for each pair of the model's elements on a uniform grid, tapered to zero over the last Å before
 * rcut (the taper only matters where the pair-table weight is non-zero, i.e. when some neighbour is very close).
 */
export function zblTableRows(typeMap: string[], rcut: number, rmin = 0.05, h = 0.001): TableRows {
  const Z = typeMap.map((s) => element(s).Z);
  const n = Math.floor((rcut - rmin) / h + 1e-9) + 1;
  const rows: TableRows = [];
  const taperStart = rcut - 1;
  for (let k = 0; k < n; k++) {
    const r = rmin + k * h;
    const row = [r];
    for (let a = 0; a < Z.length; a++) {
      for (let b = a; b < Z.length; b++) {
        let e = zbl(Z[a], Z[b], r).e;
        if (r >= taperStart) {
          const u = (r - taperStart) / (rcut - taperStart);
          e *= u >= 1 ? 0 : 1 + u * u * u * (-6 * u * u + 15 * u - 10);
        }
        row.push(e);
      }
    }
    rows.push(row);
  }
  return rows;
}

export interface SwitchParams {
  swRmin: number;
  swRmax: number;
  alpha: number;
}

/** Attaches a pair table to a plain DP model as a DP-ZBL (v3 "zbl") linear model. */
export function attachPairTable(model: DpModel, rows: TableRows, sw: SwitchParams): DpModel {
  if (model.blend) throw new ModelFormatError('This model already has a pair table; a second one cannot be attached.');
  const nt = model.typeMap.length;
  check(tableTypes(rows) === nt, `The pair table has columns for ${tableTypes(rows)} types; the model has ${nt} (${model.typeMap.join(', ')})`);
  check(sw.swRmax > sw.swRmin && sw.swRmin >= 0 && sw.alpha > 0, `Switch window [${sw.swRmin}, ${sw.swRmax}] Å with alpha ${sw.alpha}: need 0 <= rmin < rmax and alpha > 0`);
  check(rows[0][0] <= sw.swRmin, `The pair table starts at ${rows[0][0]} Å, above the switch window's lower end ${sw.swRmin} Å`);
  const blend: Blend = {
    kind: 'zbl-linear', alpha: sw.alpha, swRmin: sw.swRmin, swRmax: sw.swRmax, swWidth: sw.swRmax - sw.swRmin,
    tabBias: new Float64Array(nt), outBias: new Float64Array(nt),
  };
  return { ...model, pairTable: buildPairTable(rows, model.descriptor.rcut), blend };
}
