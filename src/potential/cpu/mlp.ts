// Batched forward and reverse passes of DeePMD dense networks in float64 (SPEC §2, §4, §5).
// A batch is `rows` inputs of width nIn, row-major. The forward pass keeps each layer's pre-activation z and
// activation h so the reverse pass can run without recomputation.
import type { Activation, DenseLayer, Net } from '../../model/types.ts';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function act(a: Activation, z: number): number {
  switch (a) {
    case 'tanh': return Math.tanh(z);
    case 'relu': return z > 0 ? z : 0;
    case 'relu6': return z <= 0 ? 0 : z >= 6 ? 6 : z;
    case 'softplus': return z > 30 ? z : Math.log1p(Math.exp(z));
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'gelu': return 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z)));
    case 'linear': return z;
  }
}

/** d act / dz, given z and h = act(z). */
export function dact(a: Activation, z: number, h: number): number {
  switch (a) {
    case 'tanh': return 1 - h * h;
    case 'relu': return z > 0 ? 1 : 0;
    case 'relu6': return z > 0 && z < 6 ? 1 : 0;
    case 'softplus': return 1 / (1 + Math.exp(-z));
    case 'sigmoid': return h * (1 - h);
    case 'gelu': {
      const t = Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z);
    }
    case 'linear': return 1;
  }
}

export interface MlpCache {
  rows: number;
  /** Input of each layer (x), its pre-activation (z) and activation (h). */
  xs: Float64Array[];
  zs: Float64Array[];
  hs: Float64Array[];
  out: Float64Array;
}

function layerForward(l: DenseLayer, x: Float64Array, rows: number, z: Float64Array, h: Float64Array, y: Float64Array, f32: boolean): void {
  const { nIn, nOut, w, b, idt, activation, skip } = l;
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn;
    const yo = r * nOut;
    for (let o = 0; o < nOut; o++) z[yo + o] = b[o];
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i];
      if (xi === 0) continue;
      const wo = i * nOut;
      for (let o = 0; o < nOut; o++) z[yo + o] += xi * w[wo + o];
    }
    for (let o = 0; o < nOut; o++) {
      const hv = act(activation, z[yo + o]);
      h[yo + o] = hv;
      let v = idt ? hv * idt[o] : hv;
      if (skip === 'identity') v += x[xo + o];
      else if (skip === 'concat') v += x[xo + (o % nIn)];
      y[yo + o] = f32 ? Math.fround(v) : v;
    }
  }
}

export function mlpForward(net: Net, input: Float64Array, rows: number): MlpCache {
  const f32 = net.precision === 'float32';
  let x = f32 ? input.map(Math.fround) : input;
  const xs: Float64Array[] = [];
  const zs: Float64Array[] = [];
  const hs: Float64Array[] = [];
  for (const l of net.layers) {
    const z = new Float64Array(rows * l.nOut);
    const h = new Float64Array(rows * l.nOut);
    const y = new Float64Array(rows * l.nOut);
    layerForward(l, x, rows, z, h, y, f32);
    xs.push(x);
    zs.push(z);
    hs.push(h);
    x = y;
  }
  return { rows, xs, zs, hs, out: x };
}

/** Reverse pass: given dE/d(out) (rows x nOut_last), returns dE/d(input) (rows x nIn_first). */
export function mlpBackward(net: Net, cache: MlpCache, gOut: Float64Array): Float64Array {
  const { rows } = cache;
  let gy = gOut;
  for (let li = net.layers.length - 1; li >= 0; li--) {
    const { nIn, nOut, w, idt, activation, skip } = net.layers[li];
    const z = cache.zs[li];
    const h = cache.hs[li];
    const gx = new Float64Array(rows * nIn);
    const gz = new Float64Array(nOut);
    for (let r = 0; r < rows; r++) {
      const yo = r * nOut;
      const xo = r * nIn;
      for (let o = 0; o < nOut; o++) {
        const g = idt ? gy[yo + o] * idt[o] : gy[yo + o];
        gz[o] = g * dact(activation, z[yo + o], h[yo + o]);
      }
      for (let i = 0; i < nIn; i++) {
        const wo = i * nOut;
        let s = 0;
        for (let o = 0; o < nOut; o++) s += w[wo + o] * gz[o];
        gx[xo + i] = s;
      }
      if (skip === 'identity') for (let o = 0; o < nOut; o++) gx[xo + o] += gy[yo + o];
      else if (skip === 'concat') for (let o = 0; o < nOut; o++) gx[xo + (o % nIn)] += gy[yo + o];
    }
    gy = gx;
  }
  return gy;
}
