// Frozen DeePMD-kit TensorFlow graph (GraphDef object) -> DpModel. SPEC §7 (node inventory), §1.3 (float32
// switch rules), §4 (fitting rule and energy bias by version), §6 (srtab).
import { check, ModelFormatError, SUPPORTED_MODELS } from '../errors.ts';
import { activationOf, checkChain, makeLayer, sizeSkip } from '../nets.ts';
import type { Activation, Blend, DenseLayer, DpModel, ModelFormat, Net, PairTable } from '../types.ts';
import type { AttrObj, GraphObj, NodeObj } from './schema.ts';
import { decodeTensor, type Tensor } from './tensor.ts';

const f32 = Math.fround;
/** (a - b) as a float32 subtraction of float32 values, widened to double (TF kernels v2.0+). */
const widthF32 = (a: number, b: number): number => f32(f32(a) - f32(b));

const DESCRIPTOR_OPS_A = ['ProdEnvMatA', 'DescrptSeA'];
const DESCRIPTOR_OPS_R = ['ProdEnvMatR', 'DescrptSeR'];
const UNSUPPORTED_OPS: [RegExp, string][] = [
  [/^TabulateFusion/, 'a compressed model ("dp compress": embedding nets replaced by TabulateFusion tables). Compressed graphs are not supported yet; load the uncompressed frozen model (the app tabulates it itself)'],
  [/Mix$|Atten/, 'an attention-based descriptor (se_atten / DPA-1 / DPA-2)'],
  [/^DescrptNorot$|^ProdForceNorot$/, 'a DeePMD-kit v0.12 graph (DescrptNorot); convert it with "dp convert-from" to a v1+ graph first'],
  [/^DescrptSeT$|^ProdEnvMatT/, 'the se_e3 (se_t) three-body descriptor'],
  [/^DipoleCharge|^EwaldRecp/, 'a DPLR (long-range dipole) model'],
];

interface Consts {
  get(name: string): Tensor | undefined;
  has(name: string): boolean;
  names(): IterableIterator<string>;
}

function constTable(nodes: NodeObj[]): Consts {
  const raw = new Map<string, NodeObj>();
  for (const n of nodes) if (n.op === 'Const' && n.name) raw.set(n.name, n);
  const cache = new Map<string, Tensor>();
  return {
    get(name) {
      const hit = cache.get(name);
      if (hit) return hit;
      const node = raw.get(name);
      if (!node) return undefined;
      const t = decodeTensor(node.attr?.value?.tensor, `Const ${name}`);
      cache.set(name, t);
      return t;
    },
    has: (name) => raw.has(name),
    names: () => raw.keys(),
  };
}

function numeric(t: Tensor, name: string): Float64Array {
  if (!(t.values instanceof Float64Array)) throw new ModelFormatError(`${name}: expected a numeric tensor, found ${t.dtype}`);
  return t.values;
}

function attrNum(node: NodeObj, key: string): number {
  const a: AttrObj | undefined = node.attr?.[key];
  if (a?.f !== undefined) return a.f;
  if (a?.i !== undefined) return a.i;
  throw new ModelFormatError(`${node.op} op "${node.name}" lacks its "${key}" attribute`);
}

function attrInts(node: NodeObj, key: string): number[] {
  const l = node.attr?.[key]?.list?.i;
  if (!l) throw new ModelFormatError(`${node.op} op "${node.name}" lacks its "${key}" attribute`);
  return Array.from(l, Number);
}

/** The normalised training input stored in v2.0+ graphs, or null. */
function trainingScript(c: Consts): Record<string, any> | null {
  const t = c.get('train_attr/training_script');
  if (!t || !Array.isArray(t.values) || typeof t.values[0] !== 'string') return null;
  try {
    return JSON.parse(t.values[0]);
  } catch {
    return null;
  }
}

/** Activation of a network scope: from the training script, else from the op types used inside the scope. */
function scopeActivation(nodes: NodeObj[], scopePrefix: RegExp, fromScript: unknown, where: string): Activation {
  if (fromScript !== undefined) return activationOf(fromScript, where);
  const seen = new Set<string>();
  for (const n of nodes) if (n.name && n.op && scopePrefix.test(n.name)) seen.add(n.op);
  const byOp: [string, Activation][] = [['Tanh', 'tanh'], ['Relu6', 'relu6'], ['Relu', 'relu'], ['Softplus', 'softplus'], ['Sigmoid', 'sigmoid'], ['Gelu', 'gelu'], ['GeluCustom', 'gelu']];
  for (const [op, act] of byOp) if (seen.has(op)) return act;
  return 'tanh';
}

export function graphToModel(g: GraphObj, format: ModelFormat, fileName?: string): DpModel {
  const nodes = g.node ?? [];
  check(nodes.length > 0, `The file decodes as a TensorFlow graph with no nodes: it is not a frozen DeePMD-kit model. ${SUPPORTED_MODELS}`);
  const c = constTable(nodes);

  for (const n of nodes) {
    for (const [re, what] of UNSUPPORTED_OPS) {
      if (n.op && re.test(n.op)) throw new ModelFormatError(`This graph is ${what} (op ${n.op}). ${SUPPORTED_MODELS}`);
    }
  }
  const descOps = nodes.filter((n) => n.op && (DESCRIPTOR_OPS_A.includes(n.op) || DESCRIPTOR_OPS_R.includes(n.op)));
  if (descOps.length === 0) {
    const isDeepmd = [...c.names()].some((k) => k.startsWith('descrpt_attr/') || k.startsWith('model_attr/'));
    const ops = [...new Set(nodes.map((n) => n.op))].slice(0, 12).join(', ');
    throw new ModelFormatError(
      isDeepmd
        ? `This DeePMD-kit graph has no se_e2_a/se_e2_r descriptor op (ops found: ${ops}, ...). ${SUPPORTED_MODELS}`
        : `This TensorFlow graph is not a DeePMD-kit model (no descriptor op and no descrpt_attr/model_attr constants; ops found: ${ops}). ${SUPPORTED_MODELS}`,
    );
  }
  if (descOps.length > 1) {
    throw new ModelFormatError(`This graph has ${descOps.length} descriptor ops (${descOps.map((n) => n.op).join(', ')}): a hybrid descriptor, which is not supported. ${SUPPORTED_MODELS}`);
  }
  const dop = descOps[0];
  const isR = DESCRIPTOR_OPS_R.includes(dop.op!);
  const script = trainingScript(c);
  const sModel = script?.model ?? {};
  const sDesc = sModel.descriptor ?? {};
  const sFit = sModel.fitting_net ?? {};

  const modelType = c.get('model_attr/model_type');
  const mt = modelType && Array.isArray(modelType.values) ? modelType.values[0] : 'ener';
  if (mt !== 'ener') throw new ModelFormatError(`This is a DeePMD-kit "${mt}" model; only energy ("ener") models give forces for MD. ${SUPPORTED_MODELS}`);
  if (c.has('spin_attr/ntypes_spin')) throw new ModelFormatError(`This is a DeePMD-kit spin model, which is not supported. ${SUPPORTED_MODELS}`);
  if ([...c.names()].some((k) => k.startsWith('type_embed_net/'))) {
    throw new ModelFormatError(`This model uses a type embedding (se_e2_a with type_embedding, "mixed types"), which is not supported yet. ${SUPPORTED_MODELS}`);
  }
  if (typeof sDesc.type === 'string' && !['se_e2_a', 'se_a', 'se_e2_r', 'se_r'].includes(sDesc.type)) {
    throw new ModelFormatError(`This model's descriptor is "${sDesc.type}". ${SUPPORTED_MODELS}`);
  }
  if (Array.isArray(sFit.atom_ener) && sFit.atom_ener.some((x: unknown) => x !== null)) {
    throw new ModelFormatError('This model sets fitting_net.atom_ener (fixed isolated-atom energies), which is not supported yet.');
  }
  if (sFit.use_aparam_as_mask) throw new ModelFormatError('This model uses aparam as an atom mask (use_aparam_as_mask), which is not supported.');

  // Version family.
  const mv = c.get('model_attr/model_version');
  const modelVersion = mv && Array.isArray(mv.values) ? mv.values[0] : undefined;
  const isV1 = dop.op === 'DescrptSeA' || dop.op === 'DescrptSeR';
  const hasBiasNode = c.has('fitting_attr/t_bias_atom_e');
  const family = isV1
    ? dop.attr?.T ? 'v1.3 (TensorFlow graph)' : 'v1.0-v1.2 (TensorFlow graph)'
    : hasBiasNode ? 'v2.2+ (TensorFlow graph)' : modelVersion === '1.0' ? 'v2.0 (TensorFlow graph)' : 'v2.1 (TensorFlow graph)';

  // Descriptor parameters: the float32 op attributes are what the kernels use.
  const rcut = f32(attrNum(dop, isR && dop.attr?.rcut ? 'rcut' : 'rcut_r'));
  const rcutSmth = f32(attrNum(dop, isR && dop.attr?.rcut_smth ? 'rcut_smth' : 'rcut_r_smth'));
  const sel = attrInts(dop, isR ? (dop.attr?.sel ? 'sel' : 'sel_r') : 'sel_a');
  check(rcut > 0 && rcutSmth >= 0 && rcutSmth < rcut, `Descriptor op has rcut ${rcut} and rcut_smth ${rcutSmth}: need 0 <= rcut_smth < rcut`);
  const switchWidth = isV1 ? rcut - rcutSmth : widthF32(rcut, rcutSmth);
  const ntT = c.get('descrpt_attr/ntypes');
  check(ntT, 'The graph lacks descrpt_attr/ntypes: not a complete DeePMD-kit model');
  const ntypes = numeric(ntT, 'descrpt_attr/ntypes')[0];
  check(Number.isInteger(ntypes) && ntypes > 0 && ntypes <= 128, `descrpt_attr/ntypes = ${ntypes} is not a valid number of types`);
  check(sel.length === ntypes && sel.every((s) => Number.isInteger(s) && s >= 0 && s < 100000), `sel [${sel}] does not match ${ntypes} types`);
  const nnei = sel.reduce((a, b) => a + b, 0);
  const ncol = isR ? 1 : 4;

  const tmapT = c.get('model_attr/tmap');
  const tmapStr = tmapT && Array.isArray(tmapT.values) ? (tmapT.values[0] ?? '') : '';
  let typeMap = tmapStr.trim() ? tmapStr.trim().split(/\s+/) : Array.isArray(sModel.type_map) ? sModel.type_map.map(String) : [];
  if (typeMap.length === 0) typeMap = Array.from({ length: ntypes }, (_, i) => `type${i}`);
  check(typeMap.length === ntypes, `type map [${typeMap}] has ${typeMap.length} names for ${ntypes} types`);

  const stat = (name: string): Float64Array => {
    const t = c.get(name);
    check(t, `The graph lacks ${name}`);
    const v = numeric(t, name);
    check(v.length === ntypes * nnei * ncol, `${name} has ${v.length} values, expected ${ntypes}x${nnei * ncol}`);
    return v;
  };
  const davg = stat('descrpt_attr/t_avg');
  const dstd = stat('descrpt_attr/t_std');
  check(dstd.every((v) => v !== 0 && Number.isFinite(v)), 'descrpt_attr/t_std contains zero or non-finite values');

  // Embedding nets.
  const names = [...c.names()];
  const typeOneSide = names.some((k) => k.startsWith('filter_type_all/'));
  const embAct = scopeActivation(nodes, /^filter_type_/, sDesc.activation_function, 'descriptor');
  const netPrecision = (name: string): 'float32' | 'float64' => (c.get(name)?.dtype === 'DT_FLOAT' ? 'float32' : 'float64');
  const embNet = (scope: string, tj: number): Net | null => {
    const layers: DenseLayer[] = [];
    for (let l = 1; c.has(`${scope}/matrix_${l}_${tj}`); l++) {
      const wn = `${scope}/matrix_${l}_${tj}`;
      const W = c.get(wn)!;
      const b = c.get(`${scope}/bias_${l}_${tj}`);
      check(b, `The graph has ${wn} but not its bias`);
      const idt = c.get(`${scope}/idt_${l}_${tj}`);
      const [nIn, nOut] = W.shape;
      layers.push(makeLayer(numeric(W, wn), W.shape, numeric(b, wn), idt ? numeric(idt, wn) : null, embAct, sizeSkip(nIn, nOut), wn));
    }
    if (layers.length === 0) return null;
    const net: Net = { layers, precision: netPrecision(`${scope}/matrix_1_${tj}`) };
    checkChain(net, 1, `embedding net ${scope} (neighbour type ${tj})`);
    return net;
  };
  const embeddings: (Net | null)[] = [];
  if (typeOneSide) for (let tj = 0; tj < ntypes; tj++) embeddings.push(embNet('filter_type_all', tj));
  else for (let ti = 0; ti < ntypes; ti++) for (let tj = 0; tj < ntypes; tj++) embeddings.push(embNet(`filter_type_${ti}`, tj));
  const anyEmb = embeddings.find((e) => e !== null);
  check(anyEmb, 'The graph has no embedding-net weights (filter_type_*/matrix_*): not an se_e2_a/se_e2_r model');
  const M1 = anyEmb.layers[anyEmb.layers.length - 1].nOut;
  check(embeddings.every((e) => !e || e.layers[e.layers.length - 1].nOut === M1), 'Embedding nets have different output widths');
  const excludeTypes: [number, number][] = Array.isArray(sDesc.exclude_types) ? sDesc.exclude_types.map((p: number[]) => [p[0], p[1]]) : [];

  // Fitting nets (TF rule: residual only on layers l >= 1 with equal widths; no concatenation).
  const fitAct = scopeActivation(nodes, /^layer_\d+_type_/, sFit.activation_function, 'fitting net');
  const nets: Net[] = [];
  for (let t = 0; t < ntypes; t++) {
    const layers: DenseLayer[] = [];
    for (let l = 0; c.has(`layer_${l}_type_${t}/matrix`); l++) {
      const wn = `layer_${l}_type_${t}/matrix`;
      const W = c.get(wn)!;
      const b = c.get(`layer_${l}_type_${t}/bias`);
      check(b, `The graph has ${wn} but not its bias`);
      const [nIn, nOut] = W.shape;
      const residual = l >= 1 && nIn === nOut;
      const idt = residual ? c.get(`layer_${l}_type_${t}/idt`) : undefined;
      layers.push(makeLayer(numeric(W, wn), W.shape, numeric(b, wn), idt ? numeric(idt, wn) : null, fitAct, residual ? 'identity' : 'none', wn));
    }
    const fw = c.get(`final_layer_type_${t}/matrix`);
    const fb = c.get(`final_layer_type_${t}/bias`);
    if (!fw || !fb || layers.length === 0) {
      throw new ModelFormatError(`The graph lacks the fitting net of type ${t} (layer_*_type_${t}, final_layer_type_${t}): not a complete se_e2_a energy model, or a multi-task/type-embedding graph that is not supported`);
    }
    layers.push(makeLayer(numeric(fw, 'final layer'), fw.shape, numeric(fb, 'final layer'), null, 'linear', 'none', `final_layer_type_${t}`));
    check(layers[layers.length - 1].nOut === 1, `final_layer_type_${t} has ${layers[layers.length - 1].nOut} outputs; an energy model has 1`);
    nets.push({ layers, precision: netPrecision(`layer_0_type_${t}/matrix`) });
  }
  const dimIn = nets[0].layers[0].nIn;
  const scalar = (name: string): number => {
    const t = c.get(name);
    return t ? numeric(t, name)[0] ?? 0 : 0;
  };
  const numbFparam = scalar('fitting_attr/dfparam');
  const numbAparam = scalar('fitting_attr/daparam');
  const dimDescrpt = dimIn - numbFparam - numbAparam;
  let axisNeuron = 0;
  if (isR) check(dimDescrpt === M1, `Fitting input ${dimIn} does not match the se_e2_r descriptor width ${M1}`);
  else {
    axisNeuron = dimDescrpt / M1;
    check(Number.isInteger(axisNeuron) && axisNeuron > 0 && axisNeuron <= M1, `Fitting input width ${dimIn} is not M1 x M2 (+ fparam/aparam) with M1 = ${M1}`);
  }
  for (const [t, n] of nets.entries()) checkChain(n, dimIn, `fitting net of type ${t}`);
  const vec = (name: string, len: number): Float64Array | null => {
    const t = c.get(name);
    if (!t) return null;
    const v = numeric(t, name);
    check(v.length === len, `${name} has ${v.length} values, expected ${len}`);
    return v;
  };
  // Energy bias: a separate node from v2.2 on; folded into the final-layer bias before (SPEC §4).
  const bias = vec('fitting_attr/t_bias_atom_e', ntypes) ?? new Float64Array(ntypes);
  const orig = c.get('descrpt_attr/original_sel');
  const normN = orig ? numeric(orig, 'original_sel').reduce((a, b) => a + b, 0) : nnei;

  // Short-range pair table (srtab).
  let pairTable: PairTable | null = null;
  let blend: Blend | null = null;
  const tabInfo = c.get('model_attr/t_tab_info');
  const sm = nodes.find((n) => n.op === 'SoftMinSwitch');
  if (tabInfo || sm) {
    check(tabInfo && sm, 'The graph has only part of a pair table (t_tab_info and a SoftMinSwitch op are both needed)');
    const info = numeric(tabInfo, 't_tab_info');
    const data = c.get('model_attr/t_tab_data');
    check(data, 'The graph has t_tab_info but no t_tab_data');
    const [rmin, h, nsplineF, ntF] = info;
    const nspline = Math.round(nsplineF);
    check(Math.round(ntF) === ntypes && h > 0 && nspline > 0, `Pair table info [${Array.from(info)}] is inconsistent with ${ntypes} types`);
    const d = numeric(data, 't_tab_data');
    check(d.length === ntypes * ntypes * nspline * 4, `Pair table data has ${d.length} values, expected ${ntypes * ntypes * nspline * 4}`);
    pairTable = { rmin, h, nspline, ntypes, data: d, rule: 'tf', rcut };
    const alpha = f32(attrNum(sm, 'alpha'));
    const swRmin = f32(attrNum(sm, 'rmin'));
    const swRmax = f32(attrNum(sm, 'rmax'));
    check(swRmax > swRmin && alpha > 0, `SoftMinSwitch has rmin ${swRmin}, rmax ${swRmax}, alpha ${alpha}: need rmin < rmax and alpha > 0`);
    const addBias = sModel.srtab_add_bias === true;
    blend = {
      kind: 'srtab', alpha, swRmin, swRmax,
      swWidth: isV1 ? swRmax - swRmin : widthF32(swRmax, swRmin),
      tabBias: addBias ? bias.slice() : new Float64Array(ntypes),
      outBias: new Float64Array(ntypes),
    };
  }

  return {
    typeMap,
    descriptor: {
      type: isR ? 'se_e2_r' : 'se_e2_a', rcut, rcutSmth, switchWidth, sel, ncol, davg, dstd, typeOneSide, embeddings,
      axisNeuron, normN, excludeTypes, envProtection: 0, nlistRule: 'per-type',
    },
    fitting: {
      nets, biasAtomE: bias, numbFparam, numbAparam, dimDescrpt,
      fparamAvg: vec('fitting_attr/t_fparam_avg', numbFparam), fparamInvStd: vec('fitting_attr/t_fparam_istd', numbFparam),
      aparamAvg: vec('fitting_attr/t_aparam_avg', numbAparam), aparamInvStd: vec('fitting_attr/t_aparam_istd', numbAparam),
    },
    pairTable,
    blend,
    source: { format, family, fileName },
  };
}
