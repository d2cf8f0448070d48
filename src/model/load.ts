// One entry point for every model file the app accepts: picks the reader by content (with the file name as a
// hint), and returns one DpModel. Everything rejected is a ModelFormatError naming what was found.
import jsyaml from 'js-yaml';
import { ModelFormatError, SUPPORTED_MODELS } from './errors.ts';
import { attachPairTable, parseTableText, type SwitchParams } from './pairtable.ts';
import { decodeGraphBinary, decodeGraphText } from './tf/decode.ts';
import { graphToModel } from './tf/graph.ts';
import type { DpModel, ModelFormat } from './types.ts';
import { openDpFile } from './v3/hdf5.ts';
import { dictToModel } from './v3/read.ts';

const MAX_BYTES = 1 << 30;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function detectFormat(bytes: Uint8Array, fileName = ''): ModelFormat {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) return 'dp';
  if (['pb', 'pbtxt', 'json', 'yaml', 'yml', 'dp'].includes(ext)) return (ext === 'yml' ? 'yaml' : ext) as ModelFormat;
  // Content sniffing for unknown extensions.
  let i = 0;
  while (i < bytes.length && i < 4096 && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++;
  const head = utf8.decode(bytes.subarray(i, i + 64));
  if (head.startsWith('{')) return 'json';
  if (/^node\s*\{/.test(head)) return 'pbtxt';
  if (/^[A-Za-z_@"'-][^\n]*:/.test(head)) return 'yaml';
  return 'pb';
}

/** Reads a DeePMD-kit model file (.pb, .pbtxt, .json, .yaml, .dp). */
export async function loadModelFile(bytes: Uint8Array, fileName = 'model'): Promise<DpModel> {
  if (bytes.length === 0) throw new ModelFormatError(`The file "${fileName}" is empty. ${SUPPORTED_MODELS}`);
  if (bytes.length > MAX_BYTES) throw new ModelFormatError(`The file "${fileName}" is larger than 1 GiB, far beyond any se_e2_a model.`);
  const format = detectFormat(bytes, fileName);
  try {
    switch (format) {
      case 'pb':
        return graphToModel(decodeGraphBinary(bytes), 'pb', fileName);
      case 'pbtxt':
        return graphToModel(decodeGraphText(bytes), 'pbtxt', fileName);
      case 'json': {
        let dict: unknown;
        try {
          dict = JSON.parse(utf8.decode(bytes));
        } catch (e) {
          throw new ModelFormatError(`"${fileName}" is not valid JSON: ${(e as Error).message}`);
        }
        return dictToModel(dict, 'json', undefined, fileName);
      }
      case 'yaml': {
        let dict: unknown;
        try {
          dict = jsyaml.load(utf8.decode(bytes), { json: true });
        } catch (e) {
          throw new ModelFormatError(`"${fileName}" is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
        }
        return dictToModel(dict, 'yaml', undefined, fileName);
      }
      case 'dp': {
        const f = await openDpFile(bytes);
        try {
          return dictToModel(f.dict, 'dp', f.resolver, fileName);
        } finally {
          f.close();
        }
      }
    }
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    // Anything else from a reader means the content was not what its structure promised.
    throw new ModelFormatError(`"${fileName}" could not be read as a ${format} model: ${(e as Error).message}. ${SUPPORTED_MODELS}`);
  }
}

/** Loads a model and, when given, attaches a DeePMD pair-table text file with the chosen switch parameters. */
export async function loadModelWithTable(
  model: { bytes: Uint8Array; fileName: string },
  table?: { text: string; switch: SwitchParams },
): Promise<DpModel> {
  const m = await loadModelFile(model.bytes, model.fileName);
  return table ? attachPairTable(m, parseTableText(table.text), table.switch) : m;
}
