// Float64 CPU reference of a DeePMD-kit se_e2_a / se_e2_r energy model with the optional pair-table blend
// (SPEC §1-§6): energy, atomic energies, forces, virial and atomic virial. This is the oracle for the GPU
// engine and the fallback where WebGPU is missing; it must match DeePMD-kit to 1e-10.
import type { Descriptor, DpModel, Net, PairTable } from '../../model/types.ts';
import { nneiOf } from '../../model/types.ts';
import { buildNeighborList, type NeighborList } from '../neighbors.ts';
import { PotentialRangeError, type EvalResult } from '../types.ts';
import { mlpBackward, mlpForward } from './mlp.ts';

export interface DpInput {
  coord: Float64Array;
  /** Model type per atom; -1 = not part of the model (no neighbours, nobody's neighbour, energy 0). */
  atype: Int32Array;
  cell: Float64Array | null;
  pbc: readonly boolean[];
  fparam?: Float64Array;
  aparam?: Float64Array;
}

/** The §1.3 switching polynomial: value and derivative with respect to r. */
export function smoothSwitch(r: number, rmin: number, rmax: number, width: number): [number, number] {
  if (r < rmin) return [1, 0];
  if (r < rmax) {
    const u = (r - rmin) / width;
    const u2 = u * u;
    const v = u2 * u * (-6 * u2 + 15 * u - 10) + 1;
    const d = (3 * u2 * (-6 * u2 + 15 * u - 10) + u2 * u * (-12 * u + 15)) / width;
    return [v, d];
  }
  return [0, 0];
}

/** Pair-table lookup (SPEC §6.2): V(r) and dV/dr, or null when r is below a 'tf' table. */
export function tableValue(tab: PairTable, ti: number, tj: number, r: number): [number, number] | null {
  const hi = 1 / tab.h;
  let uu = (r - tab.rmin) * hi;
  if (tab.rule === 'tf') {
    if (uu < 0) return null;
  } else if (r >= tab.rcut || r >= tab.rmin + tab.nspline * tab.h) return [0, 0];
  let s = Math.trunc(uu);
  if (tab.rule === 'tf' && s >= tab.nspline) return [0, 0];
  uu -= s;
  if (tab.rule === 'v3') s = Math.min(Math.max(s, 0), tab.nspline - 1);
  const base = (ti * tab.ntypes + tj) * 4 * tab.nspline + 4 * s;
  const a3 = tab.data[base], a2 = tab.data[base + 1], a1 = tab.data[base + 2], a0 = tab.data[base + 3];
  const etmp = (a3 * uu + a2) * uu + a1;
  return [etmp * uu + a0, ((2 * a3 * uu + a2) * uu + etmp) * hi];
}

/** Slots of one centre atom: entry index into the neighbour list, or -1 for padding. */
function selectSlots(
  d: Descriptor,
  nl: NeighborList,
  atype: Int32Array,
  i: number,
  overflow: number[],
): Int32Array {
  const N = nneiOf(d);
  const slots = new Int32Array(N).fill(-1);
  const cand: number[] = [];
  for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) if (nl.dist[e] <= d.rcut) cand.push(e);
  const ty = (e: number) => atype[nl.index[e]];
  if (d.nlistRule === 'per-type') cand.sort((a, b) => ty(a) - ty(b) || nl.dist[a] - nl.dist[b] || a - b);
  else {
    cand.sort((a, b) => nl.dist[a] - nl.dist[b] || a - b);
    if (cand.length > N) {
      for (const e of cand.slice(N)) overflow[ty(e)]++;
      cand.length = N;
    }
  }
  const fill = new Array<number>(d.sel.length).fill(0);
  let sec = 0;
  const start = d.sel.map((s) => ((sec += s), sec - s));
  for (const e of cand) {
    const t = ty(e);
    if (fill[t] < d.sel[t]) slots[start[t] + fill[t]++] = e;
    else overflow[t]++;
  }
  return slots;
}

interface AtomDp {
  energy: number;
  /** The descriptor (fitting-net input without fparam/aparam). */
  descriptor: Float64Array;
  /** dE_i/d(d_ik) per slot (flat N*3), zero for padding. */
  grad: Float64Array;
}

/** The DP part for one centre atom (SPEC §1-§5). */
function atomDp(model: DpModel, ti: number, slots: Int32Array, nl: NeighborList, atype: Int32Array, fp: Float64Array | null, ap: Float64Array | null): AtomDp {
  const d = model.descriptor;
  const nt = model.typeMap.length;
  const N = slots.length;
  const nc = d.ncol;
  const R = new Float64Array(N * nc);
  const J = new Float64Array(N * nc * 3);
  const p = d.envProtection;
  for (let k = 0; k < N; k++) {
    const e = slots[k];
    if (e < 0) continue;
    const dx = nl.disp[3 * e], dy = nl.disp[3 * e + 1], dz = nl.disp[3 * e + 2];
    const r = nl.dist[e];
    const [sw, dsw] = smoothSwitch(r, d.rcutSmth, d.rcut, d.switchWidth);
    const rp = r + p;
    const inv = 1 / rp, inv2 = inv * inv;
    const dv = [dx, dy, dz];
    R[k * nc] = sw * inv;
    // d(sw/rp)/dd_b = d_b/r * (dsw/rp - sw/rp^2)
    for (let b = 0; b < 3; b++) J[(k * nc) * 3 + b] = (dv[b] / r) * (dsw * inv - sw * inv2);
    if (nc === 4) {
      for (let a = 0; a < 3; a++) {
        R[k * 4 + 1 + a] = sw * dv[a] * inv2;
        for (let b = 0; b < 3; b++) {
          // d(sw d_a / rp^2)/dd_b = sw (delta_ab / rp^2 - 2 d_a d_b / (r rp^3)) + d_a / rp^2 * dsw d_b / r
          const delta = a === b ? 1 : 0;
          J[(k * 4 + 1 + a) * 3 + b] = sw * (delta * inv2 - (2 * dv[a] * dv[b]) / (r * rp * rp * rp)) + dv[a] * inv2 * dsw * dv[b] / r;
        }
      }
    }
  }
  const stat0 = ti * N * nc;
  const Rn = new Float64Array(N * nc);
  for (let q = 0; q < N * nc; q++) Rn[q] = (R[q] - d.davg[stat0 + q]) / d.dstd[stat0 + q];

  const M1 = (d.typeOneSide ? d.embeddings.find((x) => x) : d.embeddings.find((x) => x))!.layers.at(-1)!.nOut;
  const M2 = d.axisNeuron;
  const invN = 1 / d.normN;
  const excluded = (tj: number) => d.excludeTypes.some(([a, b]) => (a === ti && b === tj) || (a === tj && b === ti));
  // Forward through the embedding nets block by block. Padding rows of a block usually share one input value;
  // they are evaluated once per distinct value and weighted by their summed rows.
  const T = new Float64Array(nc * M1);
  interface Block { net: Net; start: number; real: number[]; cache: ReturnType<typeof mlpForward> }
  const blocks: Block[] = [];
  let start = 0;
  for (let tj = 0; tj < nt; tj++) {
    const len = d.sel[tj];
    const net = d.typeOneSide ? d.embeddings[tj] : d.embeddings[ti * nt + tj];
    if (net && !excluded(tj)) {
      const real: number[] = [];
      const padGroups = new Map<number, number[]>();
      for (let k = start; k < start + len; k++) {
        if (slots[k] >= 0) real.push(k);
        else {
          const x = Rn[k * nc];
          const g = padGroups.get(x);
          if (g) g.push(k);
          else padGroups.set(x, [k]);
        }
      }
      const groups = [...padGroups.values()];
      const rows = real.length + groups.length;
      const input = new Float64Array(rows);
      real.forEach((k, r) => (input[r] = Rn[k * nc]));
      groups.forEach((g, r) => (input[real.length + r] = Rn[g[0] * nc]));
      const cache = mlpForward(net, input, rows);
      const G = cache.out;
      const addRow = (rowSum: Float64Array, r: number) => {
        for (let c = 0; c < nc; c++) {
          const s = rowSum[c];
          if (s === 0) continue;
          for (let m = 0; m < M1; m++) T[c * M1 + m] += s * G[r * M1 + m];
        }
      };
      // se_e2_a weights each G row by its environment row; se_e2_r sums the G rows themselves.
      const one = Float64Array.of(1);
      real.forEach((k, r) => addRow(nc === 4 ? Rn.subarray(k * nc, k * nc + nc) : one, r));
      groups.forEach((g, r) => {
        const sum = new Float64Array(nc);
        for (const k of g) for (let c = 0; c < nc; c++) sum[c] += nc === 4 ? Rn[k * nc + c] : 1;
        addRow(sum, real.length + r);
      });
      blocks.push({ net, start, real, cache });
    }
    start += len;
  }
  for (let q = 0; q < T.length; q++) T[q] *= invN;

  // Descriptor and fitting net.
  const nf = model.fitting.numbFparam;
  const na = model.fitting.numbAparam;
  const dimD = model.fitting.dimDescrpt;
  const x = new Float64Array(dimD + nf + na);
  if (nc === 4) {
    for (let m = 0; m < M1; m++) for (let n = 0; n < M2; n++) {
      let s = 0;
      for (let c = 0; c < 4; c++) s += T[c * M1 + m] * T[c * M1 + n];
      x[m * M2 + n] = s;
    }
  } else {
    for (let m = 0; m < M1; m++) x[m] = T[m] / 5;
  }
  if (nf && fp) x.set(fp, dimD);
  if (na && ap) x.set(ap, dimD + nf);
  const fitNet = model.fitting.nets[ti];
  const fcache = mlpForward(fitNet, x, 1);
  const energy = fcache.out[0] + model.fitting.biasAtomE[ti];
  const gx = mlpBackward(fitNet, fcache, Float64Array.of(1));

  // Reverse through the descriptor.
  const gT = new Float64Array(nc * M1);
  if (nc === 4) {
    for (let c = 0; c < 4; c++) for (let m = 0; m < M1; m++) {
      let s = 0;
      for (let n = 0; n < M2; n++) s += gx[m * M2 + n] * T[c * M1 + n];
      if (m < M2) for (let mm = 0; mm < M1; mm++) s += gx[mm * M2 + m] * T[c * M1 + mm];
      gT[c * M1 + m] = s;
    }
  } else for (let m = 0; m < M1; m++) gT[m] = gx[m] / 5;
  const grad = new Float64Array(N * 3);
  for (const b of blocks) {
    const nr = b.real.length;
    if (nr === 0) continue;
    const G = b.cache.out;
    const gG = new Float64Array(b.cache.rows * M1);
    const gRn = new Float64Array(nr * nc);
    for (let r = 0; r < nr; r++) {
      const k = b.real[r];
      for (let m = 0; m < M1; m++) {
        let s = 0;
        if (nc === 4) for (let c = 0; c < 4; c++) s += Rn[k * 4 + c] * gT[c * M1 + m];
        else s = gT[m];
        gG[r * M1 + m] = s * invN;
      }
      if (nc === 4) for (let c = 0; c < nc; c++) {
        let s = 0;
        for (let m = 0; m < M1; m++) s += gT[c * M1 + m] * G[r * M1 + m];
        gRn[r * nc + c] = s * invN;
      }
    }
    const gin = mlpBackward(b.net, b.cache, gG);
    for (let r = 0; r < nr; r++) {
      const k = b.real[r];
      gRn[r * nc] += gin[r];
      for (let c = 0; c < nc; c++) {
        const gR = gRn[r * nc + c] / d.dstd[stat0 + k * nc + c];
        for (let q = 0; q < 3; q++) grad[k * 3 + q] += gR * J[(k * nc + c) * 3 + q];
      }
    }
  }
  return { energy, grad, descriptor: x.subarray(0, dimD) };
}

export interface DpEvalResult extends EvalResult {
  /** Per-atom descriptors (natoms x dim), when asked for; zero rows for atoms outside the model. */
  descriptor?: Float64Array;
}

/** Evaluates the model on a configuration. */
export function evaluateDp(model: DpModel, inp: DpInput, opts: { descriptor?: boolean } = {}): DpEvalResult {
  const { coord, atype } = inp;
  const n = atype.length;
  const d = model.descriptor;
  const nt = model.typeMap.length;
  const tab = model.pairTable;
  const blend = model.blend;
  const warnings: string[] = [];
  if (coord.length !== 3 * n) throw new Error(`coord has ${coord.length} numbers for ${n} atoms`);
  for (let i = 0; i < n; i++) {
    if (!(atype[i] >= -1 && atype[i] < nt)) throw new Error(`atom ${i} has type ${atype[i]}, the model has ${nt} types (${model.typeMap.join(', ')})`);
  }
  for (let q = 0; q < coord.length; q++) if (!Number.isFinite(coord[q])) throw new PotentialRangeError(`atom ${Math.floor(q / 3)} has a non-finite coordinate`);
  const { numbFparam: nf, numbAparam: na } = model.fitting;
  let fp: Float64Array | null = null;
  if (nf) {
    if (!inp.fparam || inp.fparam.length !== nf) throw new Error(`this model needs fparam with ${nf} values`);
    fp = inp.fparam.map((v, k) => (v - (model.fitting.fparamAvg?.[k] ?? 0)) * (model.fitting.fparamInvStd?.[k] ?? 1));
  }
  if (na && (!inp.aparam || inp.aparam.length !== n * na)) throw new Error(`this model needs aparam with ${na} values per atom`);

  const tabOwnList = tab !== null && tab.rule === 'v3';
  const rcList = Math.max(d.rcut, tabOwnList ? tab.rcut : 0);
  const nl = buildNeighborList(coord, inp.cell, inp.pbc, rcList, Array.from(atype, (t) => t >= 0));
  for (let e = 0; e < nl.dist.length; e++) {
    if (nl.dist[e] < 1e-8) throw new PotentialRangeError(`two atoms sit on the same position (atom ${nl.index[e]} and another atom): remove the duplicate`);
  }
  const force = new Float64Array(3 * n);
  const atomVirial = new Float64Array(9 * n);
  const atomEnergy = new Float64Array(n);
  const overflow = new Array<number>(nt).fill(0);
  const N = nneiOf(d);
  const descriptor = opts.descriptor ? new Float64Array(n * model.fitting.dimDescrpt) : undefined;
  const addPair = (i: number, e: number, g0: number, g1: number, g2: number, virialOn: 'j' | 'split') => {
    const j = nl.index[e];
    force[3 * i] += g0; force[3 * i + 1] += g1; force[3 * i + 2] += g2;
    force[3 * j] -= g0; force[3 * j + 1] -= g1; force[3 * j + 2] -= g2;
    const dv = [nl.disp[3 * e], nl.disp[3 * e + 1], nl.disp[3 * e + 2]];
    const g = [g0, g1, g2];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      const w = g[a] * dv[b];
      if (virialOn === 'j') atomVirial[9 * j + 3 * a + b] -= w;
      else { atomVirial[9 * j + 3 * a + b] -= 0.5 * w; atomVirial[9 * i + 3 * a + b] -= 0.5 * w; }
    }
  };

  for (let i = 0; i < n; i++) {
    const ti = atype[i];
    if (ti < 0) continue;
    const slots = selectSlots(d, nl, atype, i, overflow);
    const ap = na ? inp.aparam!.subarray(i * na, (i + 1) * na).map((v, k) => (v - (model.fitting.aparamAvg?.[k] ?? 0)) * (model.fitting.aparamInvStd?.[k] ?? 1)) : null;
    const dp = atomDp(model, ti, slots, nl, atype, fp, ap);
    descriptor?.set(dp.descriptor, i * model.fitting.dimDescrpt);
    if (!tab || !blend) {
      atomEnergy[i] = dp.energy;
      for (let k = 0; k < N; k++) if (slots[k] >= 0) addPair(i, slots[k], dp.grad[3 * k], dp.grad[3 * k + 1], dp.grad[3 * k + 2], 'j');
      continue;
    }
    // Pair-table blend (SPEC §6.1 / §6.3): entries of the table's neighbour list.
    let tabEntries: number[];
    if (tabOwnList) {
      const c: number[] = [];
      for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) if (nl.dist[e] <= tab.rcut) c.push(e);
      c.sort((a, b) => nl.dist[a] - nl.dist[b] || a - b);
      tabEntries = c.slice(0, N);
    } else tabEntries = Array.from(slots).filter((e) => e >= 0);
    let A = 0, B = 0, eTab = 0;
    const vp = new Float64Array(tabEntries.length);
    for (const [q, e] of tabEntries.entries()) {
      const r = nl.dist[e];
      const ex = Math.exp(-r / blend.alpha);
      A += ex;
      B += r * ex;
      const tv = tableValue(tab, ti, atype[nl.index[e]], r);
      if (!tv) {
        throw new PotentialRangeError(
          `atoms ${i} (${model.typeMap[ti]}) and ${nl.index[e]} (${model.typeMap[atype[nl.index[e]]]}) are ${r.toPrecision(4)} Å apart, ` +
            `closer than the pair table's lower end ${tab.rmin} Å: the model cannot describe this configuration`,
        );
      }
      eTab += 0.5 * tv[0];
      vp[q] = tv[1];
    }
    const sigma = B / A;
    let lam = 0, dlam = 0;
    if (A > 0 && (blend.kind === 'srtab' || sigma !== 0)) [lam, dlam] = smoothSwitch(sigma, blend.swRmin, blend.swRmax, blend.swWidth);
    eTab += blend.tabBias[ti];
    atomEnergy[i] = lam * eTab + (1 - lam) * dp.energy + blend.outBias[ti];
    const du = eTab - dp.energy;
    // DP part scaled by (1 - lambda): virial to the neighbour.
    for (let k = 0; k < N; k++) {
      if (slots[k] < 0) continue;
      const s = 1 - lam;
      addPair(i, slots[k], s * dp.grad[3 * k], s * dp.grad[3 * k + 1], s * dp.grad[3 * k + 2], 'j');
    }
    for (const [q, e] of tabEntries.entries()) {
      const r = nl.dist[e];
      const dx = nl.disp[3 * e], dy = nl.disp[3 * e + 1], dz = nl.disp[3 * e + 2];
      // Switch term (E_tab - E_dp) dlambda/dd: virial to the neighbour.
      if (dlam !== 0) {
        const ex = Math.exp(-r / blend.alpha);
        const ts = (du * dlam * (A * (1 / r - 1 / blend.alpha) * ex + (B * ex) / (r * blend.alpha))) / (A * A);
        addPair(i, e, ts * dx, ts * dy, ts * dz, 'j');
      }
      // Table term lambda * 1/2 V'(r) d/r: virial split between i and j.
      const tg = (lam * 0.5 * vp[q]) / r;
      if (tg !== 0) addPair(i, e, tg * dx, tg * dy, tg * dz, 'split');
    }
  }
  overflow.forEach((c, t) => {
    if (c > 0) warnings.push(`${c} neighbours of type ${model.typeMap[t]} beyond sel[${t}] = ${d.sel[t]} were dropped (the nearest are kept, as DeePMD-kit does); consider a model with larger sel`);
  });
  let energy = 0;
  for (let i = 0; i < n; i++) energy += atomEnergy[i];
  const virial = new Float64Array(9);
  for (let i = 0; i < n; i++) for (let q = 0; q < 9; q++) virial[q] += atomVirial[9 * i + q];
  return { energy, atomEnergy, force, virial, atomVirial, warnings, descriptor };
}
