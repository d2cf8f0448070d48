// TensorProto -> typed array. Values come from tensor_content (raw little-endian) or from the typed *_val
// fields, where protobuf repeats the last value when fewer are given than the shape needs.
import { ModelFormatError } from '../errors.ts';
import type { TensorObj } from './schema.ts';

export interface Tensor {
  dtype: string;
  shape: number[];
  /** Numbers for numeric/bool tensors, strings for DT_STRING. */
  values: Float64Array | string[];
}

const utf8 = new TextDecoder('utf-8');
const MAX_ELEMENTS = 1 << 28;

const WIDTH: Record<string, number> = { DT_FLOAT: 4, DT_DOUBLE: 8, DT_INT32: 4, DT_INT64: 8, DT_BOOL: 1, DT_HALF: 2, DT_UINT8: 1, DT_INT8: 1, DT_INT16: 2, DT_UINT16: 2, DT_UINT32: 4, DT_UINT64: 8 };

function fromContent(dtype: string, bytes: Uint8Array, n: number, where: string): Float64Array {
  const w = WIDTH[dtype];
  if (!w) throw new ModelFormatError(`${where}: tensor type ${dtype} is not supported in raw content`);
  if (bytes.length !== n * w) {
    throw new ModelFormatError(`${where}: tensor_content has ${bytes.length} bytes, the shape needs ${n * w} (${dtype})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (dtype) {
      case 'DT_FLOAT': out[i] = dv.getFloat32(o, true); break;
      case 'DT_DOUBLE': out[i] = dv.getFloat64(o, true); break;
      case 'DT_INT32': out[i] = dv.getInt32(o, true); break;
      case 'DT_INT64': out[i] = Number(dv.getBigInt64(o, true)); break;
      case 'DT_UINT64': out[i] = Number(dv.getBigUint64(o, true)); break;
      case 'DT_UINT32': out[i] = dv.getUint32(o, true); break;
      case 'DT_INT16': out[i] = dv.getInt16(o, true); break;
      case 'DT_UINT16': out[i] = dv.getUint16(o, true); break;
      case 'DT_INT8': out[i] = dv.getInt8(o); break;
      case 'DT_UINT8': case 'DT_BOOL': out[i] = dv.getUint8(o); break;
      default: throw new ModelFormatError(`${where}: tensor type ${dtype} is not supported`);
    }
  }
  return out;
}

export function decodeTensor(t: TensorObj | undefined, where: string): Tensor {
  if (!t) throw new ModelFormatError(`${where}: Const node without a tensor value`);
  const dtype = typeof t.dtype === 'string' ? t.dtype : `DT_${t.dtype ?? 'INVALID'}`;
  const shape = (t.tensor_shape?.dim ?? []).map((d) => Number(d.size ?? 0));
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new ModelFormatError(`${where}: bad tensor shape [${shape}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_ELEMENTS) throw new ModelFormatError(`${where}: tensor of ${n} elements is implausibly large`);
  if (dtype === 'DT_STRING') {
    const vals = (t.string_val ?? []).map((b) => utf8.decode(b));
    return { dtype, shape, values: vals };
  }
  if (t.tensor_content && t.tensor_content.length > 0) {
    return { dtype, shape, values: fromContent(dtype, t.tensor_content, n, where) };
  }
  const src: ArrayLike<number | boolean> | undefined =
    dtype === 'DT_FLOAT' ? t.float_val : dtype === 'DT_DOUBLE' ? t.double_val : dtype === 'DT_INT64' ? t.int64_val :
    dtype === 'DT_BOOL' ? t.bool_val : dtype === 'DT_HALF' ? undefined : dtype === 'DT_UINT32' ? t.uint32_val :
    dtype === 'DT_UINT64' ? t.uint64_val : t.int_val;
  if (dtype === 'DT_HALF') throw new ModelFormatError(`${where}: half-precision weights are not supported`);
  const m = src?.length ?? 0;
  if (m > n) throw new ModelFormatError(`${where}: ${m} values for a tensor of ${n} elements`);
  if (n > m && n > 1 << 24) throw new ModelFormatError(`${where}: a ${n}-element tensor filled from ${m} values is implausible`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m === 0 ? 0 : Number(src![Math.min(i, m - 1)]);
  return { dtype, shape, values: out };
}
