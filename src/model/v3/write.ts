// DpModel -> DeePMD-kit v3 serialised model dict (the app's own model export), written as .json or .yaml with the
// same schema as DeePMD-kit's dpmodel serialisation (SPEC §8), so DeePMD-kit v3 can load it. Rules that the v3
// format cannot express by itself (float32 switch widths of TF graphs, per-type neighbour truncation) go in a
// top-level metadata key that DeePMD-kit ignores and our reader honours, so results round-trip exactly.
import jsyaml from 'js-yaml';
import { ModelFormatError } from '../errors.ts';
import { tableRowsFromCoefficients } from '../pairtable.ts';
import type { DenseLayer, DpModel, Net } from '../types.ts';
import { nneiOf } from '../types.ts';
import { APP_KEY } from './read.ts';

type Dict = Record<string, unknown>;

/** Nested list of a flat array with the given shape. */
function nest(values: ArrayLike<number>, shape: number[]): unknown {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return Array.from(values);
  const [n, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => nest(Array.prototype.slice.call(values, i * step, (i + 1) * step), rest));
}

export const ndarray = (values: ArrayLike<number>, shape: number[], dtype = 'float64'): Dict => ({
  '@class': 'np.ndarray', '@is_variable': true, '@version': 1, dtype, value: nest(values, shape),
});

const actName = (a: DenseLayer['activation']) => (a === 'linear' ? 'none' : a);

function layerDict(l: DenseLayer, precision: string): Dict {
  return {
    '@class': 'Layer', '@version': 1, bias: true, use_timestep: l.idt !== null, activation_function: actName(l.activation),
    resnet: l.skip !== 'none', precision,
    '@variables': { w: ndarray(l.w, [l.nIn, l.nOut]), b: ndarray(l.b, [l.nOut]), idt: l.idt ? ndarray(l.idt, [l.nOut]) : null },
  };
}

function checkSkips(net: Net, where: string): void {
  for (const l of net.layers) {
    const auto = l.nOut === l.nIn ? 'identity' : l.nOut === 2 * l.nIn ? 'concat' : 'none';
    if (l.skip !== 'none' && l.skip !== auto) throw new ModelFormatError(`${where}: a ${l.skip} skip on a ${l.nIn}->${l.nOut} layer cannot be written in the v3 format`);
  }
}

function embeddingDict(net: Net | null, activation: string): Dict | null {
  if (!net) return null;
  checkSkips(net, 'embedding net');
  return {
    '@class': 'EmbeddingNetwork', '@version': 2, in_dim: 1, neuron: net.layers.map((l) => l.nOut), activation_function: activation,
    resnet_dt: net.layers.some((l) => l.idt), precision: net.precision, bias: true,
    layers: net.layers.map((l) => layerDict(l, net.precision)),
  };
}

function fittingNetDict(net: Net): Dict {
  checkSkips(net, 'fitting net');
  const hidden = net.layers.slice(0, -1);
  return {
    '@class': 'FittingNetwork', '@version': 1, in_dim: net.layers[0].nIn, out_dim: 1, neuron: hidden.map((l) => l.nOut),
    activation_function: actName(hidden[0]?.activation ?? 'tanh'), resnet_dt: hidden.some((l) => l.idt), precision: net.precision,
    bias_out: true, layers: net.layers.map((l) => layerDict(l, net.precision)),
  };
}

function standardDict(m: DpModel, fittingBias: Float64Array, outBias: Float64Array): Dict {
  const d = m.descriptor;
  const f = m.fitting;
  const nt = m.typeMap.length;
  const N = nneiOf(d);
  const emb0 = d.embeddings.find((e) => e)!;
  const act = actName(emb0.layers[0].activation);
  // v3 stores networks[ti + tj * ntypes]; we index ti * ntypes + tj.
  const networks = d.typeOneSide ? d.embeddings : Array.from({ length: nt * nt }, (_, k) => d.embeddings[(k % nt) * nt + Math.floor(k / nt)]);
  const fitAct = actName(f.nets[0].layers[0].activation);
  const vec = (v: Float64Array | null, n: number) => (v && n ? ndarray(v, [n]) : null);
  return {
    '@class': 'Model', type: 'standard', '@version': 2, type_map: m.typeMap, atom_exclude_types: [], pair_exclude_types: [],
    rcond: null, preset_out_bias: null,
    '@variables': { out_bias: ndarray(outBias, [1, nt, 1]), out_std: ndarray(new Float64Array(nt).fill(1), [1, nt, 1]) },
    descriptor: {
      '@class': 'Descriptor', type: d.type, '@version': 2, rcut: d.rcut, rcut_smth: d.rcutSmth, sel: d.sel,
      neuron: emb0.layers.map((l) => l.nOut), ...(d.type === 'se_e2_a' ? { axis_neuron: d.axisNeuron } : {}),
      resnet_dt: emb0.layers.some((l) => l.idt), trainable: true, type_one_side: d.typeOneSide, exclude_types: d.excludeTypes,
      env_protection: d.envProtection, set_davg_zero: false, activation_function: act, precision: emb0.precision,
      type_map: m.typeMap, spin: null, env_mat: { rcut: d.rcut, rcut_smth: d.rcutSmth },
      '@variables': { davg: ndarray(d.davg, d.ncol === 4 ? [nt, N, 4] : [nt, N]), dstd: ndarray(d.dstd, d.ncol === 4 ? [nt, N, 4] : [nt, N]) },
      embeddings: {
        '@class': 'NetworkCollection', '@version': 1, ndim: d.typeOneSide ? 1 : 2, ntypes: nt, network_type: 'embedding_network',
        networks: networks.map((n) => embeddingDict(n, act)),
      },
    },
    fitting: {
      '@class': 'Fitting', type: 'ener', '@version': 2, var_name: 'energy', ntypes: nt, dim_descrpt: f.dimDescrpt, dim_out: 1,
      neuron: f.nets[0].layers.slice(0, -1).map((l) => l.nOut), resnet_dt: f.nets[0].layers.some((l) => l.idt),
      numb_fparam: f.numbFparam, numb_aparam: f.numbAparam, rcond: null, activation_function: fitAct, precision: f.nets[0].precision,
      mixed_types: false, exclude_types: [], atom_ener: [], tot_ener_zero: false, trainable: true, layer_name: null,
      use_aparam_as_mask: false, spin: null, type_map: m.typeMap,
      '@variables': {
        bias_atom_e: ndarray(fittingBias, [nt, 1]),
        fparam_avg: vec(f.fparamAvg, f.numbFparam), fparam_inv_std: vec(f.fparamInvStd, f.numbFparam),
        aparam_avg: vec(f.aparamAvg, f.numbAparam), aparam_inv_std: vec(f.aparamInvStd, f.numbAparam),
      },
      nets: { '@class': 'NetworkCollection', '@version': 1, ndim: 1, ntypes: nt, network_type: 'fitting_network', networks: f.nets.map(fittingNetDict) },
    },
  };
}

/** The whole file dict: {"model": ..., "model_def_script": ..., "software", "version", ...}. */
export function modelToDict(m: DpModel): Dict {
  const nt = m.typeMap.length;
  const d = m.descriptor;
  const zeros = new Float64Array(nt);
  const app: Dict = { family: m.source.family, switch_width: d.switchWidth, nlist_rule: d.nlistRule, norm_n: d.normN };
  const emb0 = d.embeddings.find((e) => e)!;
  const defScript: Dict = {
    type_map: m.typeMap,
    descriptor: { type: d.type, sel: d.sel, rcut: d.rcut, rcut_smth: d.rcutSmth, neuron: emb0.layers.map((l) => l.nOut), axis_neuron: d.axisNeuron, type_one_side: d.typeOneSide, activation_function: actName(emb0.layers[0].activation) },
    fitting_net: { type: 'ener', neuron: m.fitting.nets[0].layers.slice(0, -1).map((l) => l.nOut), resnet_dt: m.fitting.nets[0].layers.some((l) => l.idt), numb_fparam: m.fitting.numbFparam, numb_aparam: m.fitting.numbAparam },
  };
  let model: Dict;
  if (!m.blend || !m.pairTable) {
    model = standardDict(m, m.fitting.biasAtomE, zeros);
  } else {
    const b = m.blend;
    const bias = m.fitting.biasAtomE;
    // v3: E = (1 - w) (NN + fitting bias) + w E_tab + out_bias. A table bias equal to the DP bias (srtab_add_bias)
    // is the same as a zero fitting bias plus an unweighted out_bias.
    let fitBias: Float64Array, outBias: Float64Array;
    if (b.tabBias.every((v) => v === 0)) { fitBias = bias; outBias = b.outBias; }
    else if (b.tabBias.every((v, t) => v === bias[t])) { fitBias = zeros; outBias = b.outBias.map((v, t) => v + bias[t]); }
    else throw new ModelFormatError('This model adds a table bias different from its DP bias, which the v3 format cannot express.');
    const t = m.pairTable;
    const rows = tableRowsFromCoefficients(t);
    const pairtab: Dict = {
      '@class': 'Model', type: 'pairtab', '@version': 2, type_map: m.typeMap, atom_exclude_types: [], pair_exclude_types: [],
      rcond: null, preset_out_bias: null, rcut: t.rcut, sel: nneiOf(d),
      '@variables': { out_bias: ndarray(zeros, [1, nt, 1]), out_std: ndarray(new Float64Array(nt).fill(1), [1, nt, 1]) },
      tab: {
        '@class': 'PairTab', '@version': 1, rmin: t.rmin, rmax: rows[rows.length - 1][0], hh: t.h, ntypes: nt, rcut: t.rcut, nspline: t.nspline,
        '@variables': {
          vdata: ndarray(rows.flat(), [rows.length, rows[0].length]),
          tab_info: ndarray([t.rmin, t.h, t.nspline, nt], [4]),
          tab_data: ndarray(t.data, [t.data.length]),
        },
      },
    };
    model = {
      '@class': 'Model', type: 'zbl', '@version': 2, type_map: m.typeMap, atom_exclude_types: [], pair_exclude_types: [],
      rcond: null, preset_out_bias: null, sw_rmin: b.swRmin, sw_rmax: b.swRmax, smin_alpha: b.alpha,
      '@variables': { out_bias: ndarray(outBias, [1, nt, 1]), out_std: ndarray(new Float64Array(nt).fill(1), [1, nt, 1]) },
      models: [standardDict(m, fitBias, zeros), pairtab],
    };
    Object.assign(app, { sw_width: b.swWidth, blend_kind: b.kind, table_rule: t.rule });
    Object.assign(defScript, { use_srtab: 'pair_table.txt', sw_rmin: b.swRmin, sw_rmax: b.swRmax, smin_alpha: b.alpha });
  }
  return {
    backend: 'dpmodel', model, model_def_script: defScript, software: 'deepmd-kit', version: '3.0.0',
    time: new Date().toISOString(), [APP_KEY]: app,
  };
}

export const modelToJson = (m: DpModel): string => JSON.stringify(modelToDict(m));
export const modelToYaml = (m: DpModel): string => jsyaml.dump(modelToDict(m), { lineWidth: -1, noRefs: true, flowLevel: -1 });
