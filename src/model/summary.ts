// A model summary for the UI and `cli info`: what the model is, in numbers a user checks first.
import { paramCount } from './nets.ts';
import { trainingRows, type TrainingProvenance } from './provenance.ts';
import type { DpModel } from './types.ts';
import { nneiOf } from './types.ts';

export interface ModelSummary {
  format: string;
  family: string;
  version?: string;
  fileName?: string;
  elements: string[];
  descriptor: string;
  rcut: number;
  rcutSmth: number;
  sel: number[];
  embeddingLayers: number[];
  axisNeuron: number;
  fittingLayers: number[];
  typeOneSide: boolean;
  activation: string;
  parameters: number;
  precision: string;
  numbFparam: number;
  numbAparam: number;
  pairTable: null | { rmin: number; rmax: number; step: number; rule: string };
  switchWindow: null | { kind: string; rmin: number; rmax: number; alpha: number };
  /** Training record of the project's trainer, when the file has one. */
  training?: TrainingProvenance;
}

export function summarizeModel(m: DpModel): ModelSummary {
  const d = m.descriptor;
  const emb = d.embeddings.find((e) => e)!;
  const fit = m.fitting.nets[0];
  const params =
    d.embeddings.reduce((s, n) => s + paramCount(n), 0) + m.fitting.nets.reduce((s, n) => s + paramCount(n), 0);
  const precisions = new Set([...d.embeddings, ...m.fitting.nets].filter((n) => n).map((n) => n!.precision));
  return {
    format: m.source.format,
    family: m.source.family,
    version: m.source.version,
    fileName: m.source.fileName,
    elements: m.typeMap,
    descriptor: d.type,
    rcut: d.rcut,
    rcutSmth: d.rcutSmth,
    sel: d.sel,
    embeddingLayers: emb.layers.map((l) => l.nOut),
    axisNeuron: d.axisNeuron,
    fittingLayers: fit.layers.slice(0, -1).map((l) => l.nOut),
    typeOneSide: d.typeOneSide,
    activation: emb.layers[0].activation,
    parameters: params,
    precision: [...precisions].join('+'),
    numbFparam: m.fitting.numbFparam,
    numbAparam: m.fitting.numbAparam,
    pairTable: m.pairTable ? { rmin: m.pairTable.rmin, rmax: m.pairTable.rmin + m.pairTable.nspline * m.pairTable.h, step: m.pairTable.h, rule: m.pairTable.rule } : null,
    switchWindow: m.blend ? { kind: m.blend.kind, rmin: m.blend.swRmin, rmax: m.blend.swRmax, alpha: m.blend.alpha } : null,
    ...(m.source.training ? { training: m.source.training } : {}),
  };
}

const fmt = (x: number) => String(Number(x.toPrecision(6)));

/** Label/value rows for display. */
export function formatSummary(s: ModelSummary): { label: string; value: string }[] {
  const rows = [
    { label: 'Elements', value: s.elements.join(', ') },
    { label: 'Descriptor', value: `${s.descriptor}${s.typeOneSide ? ' (type_one_side)' : ''}` },
    { label: 'rcut', value: `${fmt(s.rcut)} Å` },
    { label: 'rcut_smth', value: `${fmt(s.rcutSmth)} Å` },
    { label: 'sel', value: s.sel.join(', ') },
    { label: 'Embedding net', value: s.embeddingLayers.join('-') + (s.axisNeuron ? `, axis ${s.axisNeuron}` : '') },
    { label: 'Fitting net', value: s.fittingLayers.join('-') },
    { label: 'Activation', value: s.activation },
    { label: 'Parameters', value: s.parameters.toLocaleString('en-US') },
    { label: 'Precision', value: s.precision },
    { label: 'Pair table', value: s.pairTable ? `${fmt(s.pairTable.rmin)}-${fmt(s.pairTable.rmax)} Å, step ${fmt(s.pairTable.step)} Å` : 'none' },
    { label: 'Switch window', value: s.switchWindow ? `${fmt(s.switchWindow.rmin)}-${fmt(s.switchWindow.rmax)} Å (soft-min alpha ${fmt(s.switchWindow.alpha)} Å)` : 'none' },
    { label: 'DeePMD-kit', value: s.family + (s.version ? `, ${s.version}` : '') },
    { label: 'Format', value: s.format },
  ];
  if (s.numbFparam || s.numbAparam) rows.push({ label: 'fparam / aparam', value: `${s.numbFparam} / ${s.numbAparam}` });
  if (s.training) rows.push(...trainingRows(s.training));
  return rows;
}

/** Maps the scenario's element symbols onto the model's types; throws naming what is missing. */
export function requireElements(m: DpModel, needed: string[]): number[] {
  const missing = needed.filter((e) => !m.typeMap.includes(e));
  if (missing.length) {
    throw new Error(`The model describes ${m.typeMap.join(', ')} but the scenario needs ${missing.join(', ')}. Load a model whose type_map includes ${missing.join(', ')}.`);
  }
  return needed.map((e) => m.typeMap.indexOf(e));
}
