// DeePMD-kit v3 serialised model (the dpmodel dict of .json / .yaml / .dp files) -> DpModel. SPEC §8, §4 (v3
// fitting rule and out_bias), §6.3 (pairtab and the DP-ZBL linear model).
import { check, ModelFormatError, SUPPORTED_MODELS } from '../errors.ts';
import { activationOf, checkChain, makeLayer, sizeSkip } from '../nets.ts';
import { readTrainingProvenance } from '../provenance.ts';
import type { Blend, DenseLayer, DpModel, ModelFormat, Net, NlistRule, PairTable } from '../types.ts';

type Dict = Record<string, any>;
/** Turns an array entry (inline {"@class":"np.ndarray"} or a .dp dataset path) into shape + values. */
export type ArrayResolver = (v: unknown, where: string) => { shape: number[]; values: Float64Array } | null;

/**
 * The app's own metadata, a top-level key beside "model" (DeePMD-kit reads only "model"), so that a model that
 * came from a TF graph round-trips exactly: family, switch_width, sw_width, nlist_rule, norm_n, table_rule,
 * blend_kind. Absent in files written by DeePMD-kit, where the v3 rules apply.
 */
export const APP_KEY = 'dptab_cascade';

function flatten(v: unknown, shape: number[], out: number[], where: string, depth = 0): void {
  if (Array.isArray(v)) {
    if (shape.length <= depth) shape.push(v.length);
    else if (shape[depth] !== v.length) throw new ModelFormatError(`${where}: ragged array`);
    for (const x of v) flatten(x, shape, out, where, depth + 1);
  } else {
    if (depth !== shape.length) throw new ModelFormatError(`${where}: ragged array`);
    const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (Number.isNaN(x) && !(typeof v === 'string' && /nan/i.test(v))) throw new ModelFormatError(`${where}: non-numeric array entry ${JSON.stringify(v)}`);
    out.push(x);
  }
}

export const inlineArrays: ArrayResolver = (v, where) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && !Array.isArray(v) && (v as Dict)['@class'] === 'np.ndarray') {
    const shape: number[] = [];
    const out: number[] = [];
    flatten((v as Dict).value, shape, out, where);
    return { shape, values: Float64Array.from(out) };
  }
  if (Array.isArray(v)) {
    const shape: number[] = [];
    const out: number[] = [];
    flatten(v, shape, out, where);
    return { shape, values: Float64Array.from(out) };
  }
  throw new ModelFormatError(`${where}: expected an array, found ${typeof v}`);
};

function need(d: Dict | undefined, key: string, where: string): any {
  if (!d || typeof d !== 'object' || !(key in d)) throw new ModelFormatError(`${where}: missing "${key}"`);
  return d[key];
}

function readNet(net: Dict, arr: ArrayResolver, where: string, isFitting: boolean): Net {
  const layersIn = need(net, 'layers', where);
  check(Array.isArray(layersIn) && layersIn.length > 0, `${where}: no layers`);
  const layers: DenseLayer[] = layersIn.map((L: Dict, li: number) => {
    const lw = `${where} layer ${li}`;
    const v = need(L, '@variables', lw);
    const w = arr(v.w, `${lw} w`);
    const b = arr(v.b, `${lw} b`);
    check(w, `${lw}: missing weights`);
    const idt = arr(v.idt, `${lw} idt`);
    const last = isFitting && li === layersIn.length - 1;
    const act = activationOf(L.activation_function ?? (last ? 'none' : 'tanh'), lw);
    const [nIn, nOut] = w.shape;
    const skip = L.resnet ? sizeSkip(nIn, nOut) : 'none';
    return makeLayer(w.values, w.shape, b ? b.values : new Float64Array(nOut), idt ? idt.values : null, act, skip, lw);
  });
  const p = String(net.precision ?? layersIn[0]?.precision ?? 'float64');
  return { layers, precision: p === 'float32' ? 'float32' : 'float64' };
}

function readStandard(md: Dict, arr: ArrayResolver, where: string, app: Dict): Omit<DpModel, 'source'> & { outBias: Float64Array } {
  const ds = need(md, 'descriptor', where);
  const ft = need(md, 'fitting', where);
  const dtype = String(ds.type ?? '');
  if (!['se_e2_a', 'se_a', 'se_e2_r', 'se_r'].includes(dtype)) {
    throw new ModelFormatError(`This model's descriptor is "${dtype}" (${dtype.startsWith('dpa') || dtype.includes('atten') ? 'attention-based, ' : ''}not supported). ${SUPPORTED_MODELS}`);
  }
  if (ft.type !== 'ener') throw new ModelFormatError(`This model's fitting is "${ft.type}"; only energy ("ener") models give forces for MD. ${SUPPORTED_MODELS}`);
  if (ft.mixed_types) throw new ModelFormatError(`This model uses mixed-type fitting, which is not supported. ${SUPPORTED_MODELS}`);
  if (ds.spin || ft.spin) throw new ModelFormatError(`This is a spin model, which is not supported. ${SUPPORTED_MODELS}`);
  if (Array.isArray(ft.atom_ener) && ft.atom_ener.length > 0) throw new ModelFormatError('This model sets atom_ener, which is not supported yet.');
  if (ft.use_aparam_as_mask) throw new ModelFormatError('This model uses aparam as an atom mask (use_aparam_as_mask), which is not supported.');
  const isR = dtype === 'se_e2_r' || dtype === 'se_r';
  const typeMap: string[] = (md.type_map ?? ds.type_map ?? []).map(String);
  const sel: number[] = need(ds, 'sel', 'descriptor');
  const ntypes = sel.length;
  check(Array.isArray(sel) && sel.every((s) => Number.isInteger(s) && s >= 0 && s < 100000), 'descriptor.sel must be a list of non-negative integers');
  check(typeMap.length === ntypes, `type_map [${typeMap}] has ${typeMap.length} names for ${ntypes} sel entries`);
  const rcut = Number(need(ds, 'rcut', 'descriptor'));
  const rcutSmth = Number(need(ds, 'rcut_smth', 'descriptor'));
  check(rcut > 0 && rcutSmth >= 0 && rcutSmth < rcut, `descriptor has rcut ${rcut} and rcut_smth ${rcutSmth}: need 0 <= rcut_smth < rcut`);
  const nnei = sel.reduce((a, b) => a + b, 0);
  const ncol = isR ? 1 : 4;
  const dv = need(ds, '@variables', 'descriptor');
  const davg = arr(dv.davg, 'descriptor davg');
  const dstd = arr(dv.dstd, 'descriptor dstd');
  check(davg && dstd, 'descriptor: missing davg/dstd');
  check(davg.values.length === ntypes * nnei * ncol && dstd.values.length === davg.values.length, `descriptor davg/dstd have ${davg.values.length} values, expected ${ntypes}x${nnei}x${ncol}`);
  check(dstd.values.every((v) => v !== 0 && Number.isFinite(v)), 'descriptor dstd contains zero or non-finite values');
  const typeOneSide = Boolean(ds.type_one_side);
  const nc = need(ds, 'embeddings', 'descriptor');
  const nets: Dict[] = need(nc, 'networks', 'descriptor embeddings');
  check(Array.isArray(nets) && nets.length === (typeOneSide ? ntypes : ntypes * ntypes), `descriptor has ${nets?.length} embedding nets, expected ${typeOneSide ? ntypes : ntypes * ntypes}`);
  const embeddings: (Net | null)[] = [];
  const emb = (k: number) => {
    const net = nets[k] ? readNet(nets[k], arr, `embedding net ${k}`, false) : null;
    if (net) checkChain(net, 1, `embedding net ${k}`);
    return net;
  };
  // v3 stores networks[ti + tj * ntypes]; we index ti * ntypes + tj.
  if (typeOneSide) for (let tj = 0; tj < ntypes; tj++) embeddings.push(emb(tj));
  else for (let ti = 0; ti < ntypes; ti++) for (let tj = 0; tj < ntypes; tj++) embeddings.push(emb(ti + tj * ntypes));
  const M1 = embeddings.find((e) => e)!.layers.at(-1)!.nOut;
  const axisNeuron = isR ? 0 : Number(need(ds, 'axis_neuron', 'descriptor'));

  const fnets: Dict[] = need(need(ft, 'nets', 'fitting'), 'networks', 'fitting nets');
  check(Array.isArray(fnets) && fnets.length === ntypes, `fitting has ${fnets?.length} nets, expected ${ntypes}`);
  const fittingNets = fnets.map((n, t) => readNet(n, arr, `fitting net ${t}`, true));
  const numbFparam = Number(ft.numb_fparam ?? 0);
  const numbAparam = Number(ft.numb_aparam ?? 0);
  const dimDescrpt = isR ? M1 : M1 * axisNeuron;
  for (const [t, n] of fittingNets.entries()) {
    checkChain(n, dimDescrpt + numbFparam + numbAparam, `fitting net ${t}`);
    check(n.layers.at(-1)!.nOut === 1, `fitting net ${t} has ${n.layers.at(-1)!.nOut} outputs; an energy model has 1`);
  }
  const fv = ft['@variables'] ?? {};
  const biasFit = arr(fv.bias_atom_e, 'fitting bias_atom_e');
  const vecOrNull = (v: unknown, len: number, w: string) => {
    const a = arr(v, w);
    if (!a) return null;
    check(a.values.length === len, `${w} has ${a.values.length} values, expected ${len}`);
    return a.values;
  };
  const outBiasA = arr(md['@variables']?.out_bias, 'model out_bias');
  const outBias = outBiasA ? outBiasA.values.slice(0, ntypes) : new Float64Array(ntypes);
  const excludeTypes: [number, number][] = (ds.exclude_types ?? []).map((p: number[]) => [p[0], p[1]]);
  return {
    typeMap,
    descriptor: {
      type: isR ? 'se_e2_r' : 'se_e2_a', rcut, rcutSmth,
      switchWidth: typeof app.switch_width === 'number' ? app.switch_width : rcut - rcutSmth,
      sel, ncol, davg: davg.values, dstd: dstd.values, typeOneSide, embeddings, axisNeuron,
      normN: typeof app.norm_n === 'number' ? app.norm_n : nnei,
      excludeTypes, envProtection: Number(ds.env_protection ?? 0),
      nlistRule: (app.nlist_rule as NlistRule) ?? 'nearest-overall',
    },
    fitting: {
      nets: fittingNets, biasAtomE: biasFit ? biasFit.values.slice(0, ntypes) : new Float64Array(ntypes),
      numbFparam, numbAparam, dimDescrpt,
      fparamAvg: vecOrNull(fv.fparam_avg, numbFparam, 'fparam_avg'), fparamInvStd: vecOrNull(fv.fparam_inv_std, numbFparam, 'fparam_inv_std'),
      aparamAvg: vecOrNull(fv.aparam_avg, numbAparam, 'aparam_avg'), aparamInvStd: vecOrNull(fv.aparam_inv_std, numbAparam, 'aparam_inv_std'),
    },
    pairTable: null,
    blend: null,
    outBias,
  };
}

function readPairTab(pm: Dict, arr: ArrayResolver, ntypes: number, app: Dict): PairTable {
  const tab = need(pm, 'tab', 'pairtab model');
  const v = need(tab, '@variables', 'pairtab');
  const info = arr(v.tab_info, 'pairtab tab_info');
  const data = arr(v.tab_data, 'pairtab tab_data');
  check(info && data, 'pairtab: missing tab_info/tab_data');
  const [rmin, h, nsplineF, ntF] = info.values;
  const nspline = Math.round(nsplineF);
  check(Math.round(ntF) === ntypes && h > 0 && nspline > 0, `pairtab tab_info [${Array.from(info.values)}] is inconsistent with ${ntypes} types`);
  check(data.values.length === ntypes * ntypes * nspline * 4, `pairtab tab_data has ${data.values.length} values, expected ${ntypes * ntypes * nspline * 4}`);
  return { rmin, h, nspline, ntypes, data: data.values, rule: app.table_rule === 'tf' ? 'tf' : 'v3', rcut: Number(pm.rcut ?? tab.rcut) };
}

/** Reads the dict of a v3 serialised model (the whole file: {"model": {...}, ...} or the model dict itself). */
export function dictToModel(root: unknown, format: ModelFormat, arr: ArrayResolver = inlineArrays, fileName?: string): DpModel {
  check(root && typeof root === 'object' && !Array.isArray(root), `The file is not a DeePMD-kit v3 model: expected a JSON/YAML object. ${SUPPORTED_MODELS}`);
  const top = root as Dict;
  const md: Dict = top.model && typeof top.model === 'object' ? top.model : top;
  const type = md.type ?? (md.descriptor ? 'standard' : undefined);
  if (type === undefined) {
    throw new ModelFormatError(`The file is ${format.toUpperCase()} but not a DeePMD-kit v3 serialised model (no "model" with a "type" or "descriptor"). ${SUPPORTED_MODELS}`);
  }
  const version = typeof top.version === 'string' ? top.version : undefined;
  const app = top[APP_KEY] ?? {};
  const training = readTrainingProvenance(top);
  const source = { format, family: typeof app.family === 'string' ? app.family : 'v3 (dpmodel serialisation)', version, fileName, ...(training ? { training } : {}) };
  if (type === 'standard') {
    const { outBias, ...m } = readStandard(md, arr, 'model', app);
    for (let t = 0; t < outBias.length; t++) m.fitting.biasAtomE[t] += outBias[t];
    return { ...m, source };
  }
  if (type === 'zbl') {
    const models = need(md, 'models', 'zbl model');
    check(Array.isArray(models) && models.length === 2, 'zbl model: expected two sub-models (DP and pairtab)');
    const dpDict = models.find((x: Dict) => x?.type === 'standard');
    const ptDict = models.find((x: Dict) => x?.type === 'pairtab');
    check(dpDict && ptDict, `zbl model: expected a "standard" and a "pairtab" sub-model, found ${models.map((x: Dict) => x?.type).join(', ')}`);
    // Sub-models' own out_bias are not applied inside the linear model (SPEC §6.3); its own out_bias is, unweighted.
    const { outBias: _dpOut, ...m } = readStandard(dpDict, arr, 'zbl DP sub-model', app);
    const nt = m.typeMap.length;
    const pairTable = readPairTab(ptDict, arr, nt, app);
    const ob = arr(md['@variables']?.out_bias, 'zbl out_bias');
    const swRmin = Number(need(md, 'sw_rmin', 'zbl model'));
    const swRmax = Number(need(md, 'sw_rmax', 'zbl model'));
    const alpha = Number(md.smin_alpha ?? 0.1);
    check(swRmax > swRmin && alpha > 0, `zbl model has sw_rmin ${swRmin}, sw_rmax ${swRmax}, smin_alpha ${alpha}: need sw_rmin < sw_rmax and smin_alpha > 0`);
    const blend: Blend = {
      kind: app.blend_kind === 'srtab' ? 'srtab' : 'zbl-linear', alpha, swRmin, swRmax,
      swWidth: typeof app.sw_width === 'number' ? app.sw_width : swRmax - swRmin,
      tabBias: new Float64Array(nt),
      outBias: ob ? ob.values.slice(0, nt) : new Float64Array(nt),
    };
    return { ...m, pairTable, blend, source };
  }
  throw new ModelFormatError(`This v3 model is of type "${type}"; supported are "standard" (DP) and "zbl" (DP + pair table). ${SUPPORTED_MODELS}`);
}
