// Building blocks shared by the readers: dense layers with the residual rules of SPEC §2/§4, activations.
import { ModelFormatError } from './errors.ts';
import type { Activation, DenseLayer, Net, Skip } from './types.ts';

const ACTIVATIONS: Record<string, Activation> = {
  tanh: 'tanh', relu: 'relu', relu6: 'relu6', softplus: 'softplus', sigmoid: 'sigmoid',
  gelu: 'gelu', gelu_tf: 'gelu', linear: 'linear', none: 'linear',
};

/** Maps a DeePMD-kit activation_function name to ours; throws on unknown ones. */
export function activationOf(name: unknown, where: string): Activation {
  const a = typeof name === 'string' ? ACTIVATIONS[name.toLowerCase()] : undefined;
  if (!a) {
    throw new ModelFormatError(
      `${where}: activation function "${String(name)}" is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  }
  return a;
}

/** The embedding-net / v3 rule: identity skip when widths match, concatenation when the width doubles. */
export const sizeSkip = (nIn: number, nOut: number): Skip =>
  nOut === nIn ? 'identity' : nOut === 2 * nIn ? 'concat' : 'none';

export function makeLayer(
  w: Float64Array,
  shape: number[],
  b: Float64Array,
  idt: Float64Array | null,
  activation: Activation,
  skip: Skip,
  where: string,
): DenseLayer {
  if (shape.length !== 2) throw new ModelFormatError(`${where}: weight matrix has shape [${shape}], expected 2-D`);
  const [nIn, nOut] = shape;
  if (w.length !== nIn * nOut) throw new ModelFormatError(`${where}: weight matrix has ${w.length} values for shape [${shape}]`);
  if (b.length !== nOut) throw new ModelFormatError(`${where}: bias has ${b.length} values, the layer has ${nOut} outputs`);
  if (idt && idt.length !== nOut) throw new ModelFormatError(`${where}: idt has ${idt.length} values, the layer has ${nOut} outputs`);
  return { nIn, nOut, w, b, idt, activation, skip };
}

/** Checks that consecutive layers chain (each input width equals the previous output width). */
export function checkChain(net: Net, nIn: number, where: string): void {
  let n = nIn;
  for (const [i, l] of net.layers.entries()) {
    if (l.nIn !== n) throw new ModelFormatError(`${where}: layer ${i} takes ${l.nIn} inputs but receives ${n}`);
    n = l.nOut;
  }
}

export const paramCount = (net: Net | null): number =>
  net ? net.layers.reduce((s, l) => s + l.w.length + l.b.length + (l.idt?.length ?? 0), 0) : 0;
