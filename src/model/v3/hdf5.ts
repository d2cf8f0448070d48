// DeePMD-kit v3 .dp files: HDF5 whose root attribute "json" holds the model dict with every array replaced by a
// dataset path ("/variable_0000", ...). Read with h5wasm (loaded on demand: it is a 4 MB WebAssembly module).
import { check, ModelFormatError, SUPPORTED_MODELS } from '../errors.ts';
import type { ArrayResolver } from './read.ts';

export interface DpFile {
  dict: unknown;
  resolver: ArrayResolver;
  close(): void;
}

let counter = 0;

export async function openDpFile(bytes: Uint8Array): Promise<DpFile> {
  const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  check(bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b), `The file is not HDF5 (no HDF5 signature), so it is not a DeePMD-kit v3 .dp model. ${SUPPORTED_MODELS}`);
  const h5 = await import('h5wasm');
  await h5.ready;
  const name = `/tmp_model_${Date.now()}_${counter++}.h5`;
  h5.FS!.writeFile(name, bytes);
  let f: InstanceType<typeof h5.File>;
  try {
    f = new h5.File(name, 'r');
  } catch (e) {
    h5.FS!.unlink(name);
    throw new ModelFormatError(`The HDF5 file could not be opened (${(e as Error).message}); it may be truncated or corrupted.`);
  }
  const cleanup = () => {
    try { f.close(); } catch { /* already closed */ }
    try { h5.FS!.unlink(name); } catch { /* gone */ }
  };
  try {
    const attr = f.attrs?.json;
    check(attr, `The HDF5 file has no root "json" attribute: it is not a DeePMD-kit v3 .dp model. ${SUPPORTED_MODELS}`);
    const text = attr.value;
    check(typeof text === 'string', 'The .dp file\'s "json" attribute is not a string');
    let dict: unknown;
    try {
      dict = JSON.parse(text);
    } catch (e) {
      throw new ModelFormatError(`The .dp file's "json" attribute is not valid JSON: ${(e as Error).message}`);
    }
    const resolver: ArrayResolver = (v, where) => {
      if (v === null || v === undefined) return null;
      check(typeof v === 'string' && v.startsWith('/'), `${where}: expected a dataset path in the .dp file, found ${JSON.stringify(v)?.slice(0, 40)}`);
      const ds = f.get(v);
      check(ds && ds instanceof h5.Dataset, `${where}: dataset ${v} is missing from the .dp file`);
      const shape = (ds.shape ?? []) as number[];
      const raw = ds.value;
      const values = Float64Array.from(ArrayBuffer.isView(raw) ? (raw as unknown as ArrayLike<number>) : Array.isArray(raw) ? (raw as number[]) : [raw as number], Number);
      return { shape, values };
    };
    return { dict, resolver, close: cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
