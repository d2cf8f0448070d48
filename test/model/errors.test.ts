// Bad input gives a specific ModelFormatError naming what was found and what is supported; never a crash,
// a hang or a silently wrong model. Includes a fuzz test over 1000 mutated model files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/model/errors.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { requireElements } from '../../src/model/summary.ts';
import { fixture, HAVE_SHARED, loadShared, VECTORS } from '../helpers.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function rejects(bytes: Uint8Array | string, name: string, pattern: RegExp) {
  const b = typeof bytes === 'string' ? enc.encode(bytes) : bytes;
  const err = await loadModelFile(b, name).then(() => null, (e: unknown) => e);
  expect(err, `${name} should be rejected`).toBeInstanceOf(ModelFormatError);
  expect((err as Error).message).toMatch(pattern);
}

const node = (name: string, op: string, extra = '') => `node { name: "${name}" op: "${op}" ${extra} }\n`;

describe('bad model files', () => {
  it('empty, random bytes, truncated binary graph', async () => {
    await rejects(new Uint8Array(0), 'model.pb', /empty/);
    let s = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255);
    await rejects(random, 'model.pb', /GraphDef|not a DeePMD-kit model|no nodes/);
    await rejects(fixture('deeppot.pb').subarray(0, 5000), 'model.pb', /GraphDef|truncated|index out of range|lacks/);
  });

  it('a TensorFlow graph that is not a DeePMD model', async () => {
    await rejects(node('x', 'Placeholder') + node('y', 'MatMul'), 'resnet.pbtxt', /not a DeePMD-kit model.*Placeholder/s);
  });

  it('unsupported descriptors, fittings and compressed graphs are named', async () => {
    await rejects(node('descrpt_attr/ntypes', 'Const') + node('d', 'ProdEnvMatAMix'), 'atten.pbtxt', /attention-based descriptor.*se_e2_a/s);
    await rejects(node('descrpt_attr/ntypes', 'Const') + node('a', 'ProdEnvMatA') + node('b', 'ProdEnvMatR'), 'hyb.pbtxt', /hybrid descriptor/);
    await rejects(node('descrpt_attr/ntypes', 'Const') + node('t', 'TabulateFusionSeA'), 'comp.pbtxt', /compressed model/);
    await rejects('{"model": {"type": "standard", "descriptor": {"type": "dpa2"}, "fitting": {"type": "ener"}}}', 'dpa2.json', /"dpa2".*not supported/s);
    await rejects('{"model": {"type": "standard", "descriptor": {"type": "se_e2_a"}, "fitting": {"type": "dipole"}}}', 'dip.json', /"dipole"/);
    await rejects('{"model": {"type": "linear_ener", "models": []}}', 'lin.json', /"linear_ener"/);
    await rejects('{"hello": "world"}', 'x.json', /not a DeePMD-kit v3 serialised model/);
    await rejects('{"model": ', 'x.json', /not valid JSON/);
    await rejects('model: [unclosed', 'x.yaml', /not valid YAML/);
    await rejects(fixture('deeppot_dpmodel.dp').subarray(0, 3000), 'x.dp', /HDF5|truncated|corrupted|json/);
  });

  it.skipIf(!HAVE_SHARED)('a real graph edited to a dipole model is refused', async () => {
    const text = readFileSync(join(VECTORS, 'models/deeppot.pbtxt'), 'utf8').replace('string_val: "ener"', 'string_val: "dipole"');
    await rejects(text, 'dipole.pbtxt', /"dipole" model/);
  });

  it.skipIf(!HAVE_SHARED)('a model whose type map lacks a needed element', async () => {
    const m = await loadShared('models/deeppot.pbtxt');
    expect(() => requireElements(m, ['Mo', 'S'])).toThrow(/describes O, H but the scenario needs Mo, S/);
    expect(requireElements(m, ['H', 'O'])).toEqual([1, 0]);
  });
});

describe.skipIf(!HAVE_SHARED)('fuzz: 1000 mutated model files load or fail cleanly, quickly', () => {
  it('binary .pb and v3 .json mutations', async () => {
    const pb = fixture('deeppot.pb');
    const json = readFileSync(join(VECTORS, 'models/deeppot_dpmodel.json'));
    let seed = 2024;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const mutate = (src: Uint8Array): Uint8Array => {
      const b = Uint8Array.from(src);
      switch (rand(4)) {
        case 0: for (let k = 0, n = 1 + rand(8); k < n; k++) b[rand(b.length)] = rand(256); return b; // byte flips
        case 1: return b.subarray(0, rand(b.length)); // truncation
        case 2: { const at = rand(b.length); const ins = Uint8Array.from({ length: 1 + rand(16) }, () => rand(256)); return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]); }
        default: { const at = rand(b.length); return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + rand(64))]); } // deletion
      }
    };
    let loaded = 0, rejected = 0, worstMs = 0;
    for (let k = 0; k < 1000; k++) {
      const isPb = k % 10 < 7;
      const bytes = mutate(isPb ? pb : json);
      const t0 = performance.now();
      try {
        const m = await loadModelFile(bytes, isPb ? 'm.pb' : 'm.json');
        expect(m.typeMap.length).toBeGreaterThan(0);
        loaded++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw new Error(`mutation ${k} (${isPb ? 'pb' : 'json'}) threw ${(e as Error).name}: ${(e as Error).message}`);
        expect((e as Error).message.length).toBeGreaterThan(20);
        rejected++;
      }
      worstMs = Math.max(worstMs, performance.now() - t0);
    }
    expect(loaded + rejected).toBe(1000);
    expect(rejected).toBeGreaterThan(100);
    expect(worstMs).toBeLessThan(10_000);
    console.log(`fuzz: ${loaded} loaded, ${rejected} rejected, slowest ${worstMs.toFixed(0)} ms`);
  }, 300_000);
});
void dec;
