// The WebGPU DP-Tab engine behind the common `Potential` interface. The host keeps positions in float64 and
// integrates; each compute() uploads positions (as hi/lo float32 pairs), runs the kernel chain of dpShaders.ts and
// reads back per-atom forces, energies and virials. The neighbour list is rebuilt on the GPU only when some atom
// has moved more than half the skin since the last build (or the cell, the atoms or the list capacity changed).
import type { DpModel } from '../../model/types.ts';
import { nneiOf } from '../../model/types.ts';
import { zblScreening, QQR2E } from '../../physics/zbl.ts';
import { makeZblSwitch } from '../classical/zblpair.ts';
import { zOf } from '../classical/foreign.ts';
import { faceDistances, inverse3 } from '../neighbors.ts';
import { PotentialRangeError, type EvalResult, type Potential, type System } from '../types.ts';
import { compressEmbeddings, type CompressionReport, type CompressedEmbedding } from './compress.ts';
import { GpuUnavailableError, type GpuContext } from './device.ts';
import {
  dpShaders, FLAG_NO_REVERSE, FLAG_TABLE_RANGE, FLAG_TOO_CLOSE, netLayout, rowChunkFor, sameArchitecture,
} from './dpShaders.ts';
import { GEMM_DECL, gemmGrid, gemmShader, gemmUniform, NO_IDT } from './gemm.ts';
import { NB_BIN, NB_LIST, NB_PARAMS_FLOATS, NB_PLACE, NB_REVERSE, NB_SCAN } from './neighborShaders.ts';

export interface WebGpuDpOptions {
  /** Neighbour-list skin (Å). */
  skin?: number;
  /** Use the tabulated embedding nets ('auto': when the table error is below `compressTolerance`). */
  compress?: boolean | 'auto';
  /** Largest accepted max-abs error of the tabulated G and dG/ds (default 1e-5). */
  compressTolerance?: number;
  /** Grid step of the tabulation in s (default 0.01, as dp compress). */
  compressStep?: number;
  /** Universal ZBL for atoms outside the model: switched to zero between rin and rc (Å). */
  zblInner?: number;
  zblCutoff?: number;
  label?: string;
  /** Diagnostics: submit every kernel on its own and add its wall time (ms) to this map, keyed by kernel name.
   * Much slower than a normal step; for finding where the time goes (bench/run.ts BENCH_PROFILE=1). */
  profile?: Map<string, number>;
}

/** One recorded GPU command of a step: encoded into one command buffer, or submitted alone when profiling. */
interface Op { label: string; encode: (enc: GPUCommandEncoder) => void }

const ZBL_MIN_DISTANCE = 0.02;
const STORAGE = 0x80 | 0x8 | 0x4; // STORAGE | COPY_DST | COPY_SRC
const UNIFORM = 0x40 | 0x8; // UNIFORM | COPY_DST

interface Kernel { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }

/** Starting neighbour-list capacity per atom (grown when a step overflows it). */
function initialListCapacity(model: DpModel, listCut: number): number {
  const sel = nneiOf(model.descriptor);
  return Math.ceil((Math.max(sel, 32) * 1.25 * (listCut / model.descriptor.rcut) ** 2) / 8) * 8;
}

/** Bytes of every per-system GPU buffer for n atoms (nModel of them in the model) and list capacity cap. */
function bufferSizes(m: DpModel, n: number, nModel: number, cap: number): Record<string, number> {
  const nt = m.typeMap.length;
  const d = m.descriptor;
  const NNEI = nneiOf(d);
  const M1 = d.embeddings.find((x) => x)!.layers.at(-1)!.nOut;
  const f = m.fitting;
  const dimIn = f.dimDescrpt + f.numbFparam + f.numbAparam;
  const fit = netLayout(f.nets[0]).layers;
  const maxW = Math.max(dimIn, ...fit.map((l) => l.nOut));
  const nm = Math.max(nModel, 1);
  const sizes: Record<string, number> = {
    pos: 32 * n, atomInfo: 16 * n, binOf: 4 * n, binAtoms: 4 * n,
    entries: 8 * n * cap, rev: 4 * n * cap, entryD: 16 * n * cap, entrySlot: 4 * n * cap, pairG: 32 * n * cap,
    slotEntry: 8 * nm * NNEI, slotGrad: 16 * nm * NNEI, status: 4 * n * (nt + 1),
    Tpart: 4 * nm * nt * d.ncol * M1, gT: 4 * nm * d.ncol * M1, X: 4 * nm * dimIn, gX: 4 * nm * dimIn,
    eDp: 4 * nm, blendInfo: 32 * n, out: 64 * n, extra: 4 * (f.numbFparam + f.numbAparam * nm + 1),
    gA: 4 * nm * maxW, gB: 4 * nm * maxW,
  };
  fit.forEach((l, k) => { sizes[`D${k}`] = 4 * nm * l.nOut; sizes[`Y${k}`] = 4 * nm * l.nOut; });
  return sizes;
}

/**
 * The largest MoS2-like system (all atoms in the model) whose buffers fit an adapter's limits, with the starting
 * list capacity of a 1 Å skin and a 4 Å ZBL range (the app refuses larger sheets at the control).
 */
export function gpuMaxAtoms(model: DpModel, limits: { maxStorageBufferBindingSize: number; maxBufferSize: number }): number {
  const listCut = Math.max(model.descriptor.rcut, model.pairTable?.rule === 'v3' ? model.pairTable.rcut : 0, 4.0) + 1.0;
  const perAtom = Math.max(...Object.values(bufferSizes(model, 1000, 1000, initialListCapacity(model, listCut)))) / 1000;
  return Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / perAtom);
}

/** Compiled kernels per device by WGSL source: engines of the same model (or sharing kernels) compile once. */
const PIPELINES = new WeakMap<GPUDevice, Map<string, Kernel>>();

/** Bind-group layout entries from a kernel's `@group(0) @binding(n) var<...>` declarations. */
export function bindingsOf(code: string): GPUBindGroupLayoutEntry[] {
  const out: GPUBindGroupLayoutEntry[] = [];
  for (const m of code.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<([a-z_]+)(?:,\s*([a-z_]+))?>/g)) {
    const type: GPUBufferBindingType = m[2] === 'uniform' ? 'uniform' : m[3] === 'read_write' ? 'storage' : 'read-only-storage';
    out.push({ binding: Number(m[1]), visibility: 4 /* COMPUTE */, buffer: { type } });
  }
  return out;
}

/** Everything that depends on the system's atoms (count, types, species) and the list capacity. */
interface SystemBuffers {
  n: number;
  nModel: number;
  cap: number;
  nSpecies: number;
  perm: Int32Array;
  typeStart: number[];
  buffers: Record<string, GPUBuffer>;
  bindGroups: Map<string, GPUBindGroup>;
  nbins: number;
}

export class WebGpuDpPotential implements Potential {
  readonly name: string;
  readonly cutoff: number;
  readonly elements: readonly string[];
  readonly compression: CompressionReport | null;
  readonly compressed: boolean;
  private readonly dev: GPUDevice;
  private readonly kernels = new Map<string, Kernel>();
  private readonly params: GPUBuffer;
  private readonly stats: GPUBuffer;
  private readonly table: GPUBuffer | null;
  private readonly fitLayout: { layers: ReturnType<typeof netLayout>['layers']; base: number[] };
  private readonly skin: number;
  private readonly listCut: number;
  private readonly zblInner: number;
  private readonly zblCutoff: number;
  private sys: SystemBuffers | null = null;
  private built: { coord: Float64Array; cell: string; shift: Float64Array } | null = null;
  private disposed = false;
  private lost: string | null = null;
  /** Steps since the last list build, and builds so far (for reports). */
  rebuilds = 0;
  /** Pipeline creation time per kernel (ms). */
  readonly compileMs: Record<string, number> = {};

  static async create(ctx: GpuContext, model: DpModel, opts: WebGpuDpOptions = {}): Promise<WebGpuDpPotential> {
    const p = new WebGpuDpPotential(ctx, model, opts);
    await p.compileAll();
    return p;
  }

  private readonly profile: Map<string, number> | null;

  private constructor(private readonly ctx: GpuContext, private readonly model: DpModel, opts: WebGpuDpOptions) {
    const d = model.descriptor;
    const nets = d.embeddings.filter((x): x is NonNullable<typeof x> => Boolean(x));
    if (nets.length === 0) throw new PotentialRangeError('the model has no embedding nets');
    if (!nets.every((n) => sameArchitecture(n, nets[0]))) throw new PotentialRangeError('the WebGPU engine needs all embedding nets to share one architecture; use the CPU engine for this model');
    if (!model.fitting.nets.every((n) => sameArchitecture(n, model.fitting.nets[0]))) throw new PotentialRangeError('the WebGPU engine needs all fitting nets to share one architecture; use the CPU engine for this model');
    const last = model.fitting.nets[0].layers.at(-1)!;
    if (last.nOut !== 1 || last.skip !== 'none' || last.idt) throw new PotentialRangeError('the fitting net must end in a plain linear layer with one output');
    this.dev = ctx.device;
    void this.dev.lost.then((info) => { this.lost = info.message || info.reason || 'unknown reason'; });
    this.skin = opts.skin ?? 1.0;
    this.profile = opts.profile ?? null;
    this.zblInner = opts.zblInner ?? 3.0;
    this.zblCutoff = opts.zblCutoff ?? 4.0;
    const tab = model.pairTable;
    this.listCut = Math.max(d.rcut, tab && tab.rule === 'v3' ? tab.rcut : 0, this.zblCutoff) + this.skin;
    this.elements = model.typeMap;
    this.cutoff = Math.max(d.rcut, this.zblCutoff);
    // Parameters: embedding nets (one stride each), then the fitting nets.
    const emb = netLayout(nets[0]);
    const fit = netLayout(model.fitting.nets[0]);
    const nEmb = d.embeddings.length;
    const fitBase = model.fitting.nets.map((_, t) => nEmb * emb.stride + t * fit.stride);
    this.fitLayout = { layers: fit.layers, base: fitBase };
    const P = new Float32Array(nEmb * emb.stride + model.fitting.nets.length * fit.stride);
    const put = (net: NonNullable<(typeof d.embeddings)[number]>, base: number, lay: ReturnType<typeof netLayout>) => {
      net.layers.forEach((l, k) => {
        const L = lay.layers[k];
        P.set(l.w, base + L.w);
        P.set(l.b, base + L.b);
        if (l.idt && L.idt >= 0) P.set(l.idt, base + L.idt);
      });
    };
    d.embeddings.forEach((net, k) => net && put(net, k * emb.stride, emb));
    model.fitting.nets.forEach((net, t) => put(net, fitBase[t], fit));
    this.params = this.upload(P);
    const st = new Float32Array(2 * d.davg.length);
    for (let q = 0; q < d.davg.length; q++) { st[2 * q] = d.davg[q]; st[2 * q + 1] = 1 / d.dstd[q]; }
    this.stats = this.upload(st);
    // Compression.
    const want = opts.compress ?? 'auto';
    let cmp: CompressedEmbedding | null = null;
    this.compression = null;
    if (want !== false) {
      const c = compressEmbeddings(model, { step: opts.compressStep, tolerance: opts.compressTolerance });
      this.compression = c.report;
      if (c.table && (want === true || c.report.withinTolerance)) cmp = c.table;
      if (want === true && !c.table) throw new PotentialRangeError(`compression is not possible for this model: ${c.report.reason}`);
    }
    this.compressed = cmp !== null;
    this.table = cmp ? this.upload(cmp.coefficients) : null;
    this.cmpLayout = cmp?.layout ?? null;
    const kind = this.compressed ? 'compressed' : 'uncompressed';
    this.name = `${opts.label ?? 'DP'} (WebGPU f32, ${kind}) on ${ctx.adapterName}`;
  }

  private readonly cmpLayout: CompressedEmbedding['layout'] | null;

  private upload(data: Float32Array | Uint32Array | Int32Array, usage = STORAGE): GPUBuffer {
    const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    const b = this.dev.createBuffer({ size, usage, mappedAtCreation: true });
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    return b;
  }

  private async compileAll(): Promise<void> {
    const m = this.model;
    const tab = m.pairTable;
    const rowChunk = rowChunkFor(m, this.ctx.limits.maxComputeWorkgroupStorageSize);
    const sh = dpShaders(m, {
      rowChunk, compressed: this.cmpLayout, tableOffset: 0, zblOffset: tab ? tab.data.length : 0,
      zblRc: this.zblCutoff, zblMinDistance: ZBL_MIN_DISTANCE,
    });
    const srcs: Record<string, string> = {
      nbBin: NB_BIN, nbScan: NB_SCAN, nbPlace: NB_PLACE, nbList: NB_LIST, nbRev: NB_REVERSE,
      select: sh.select, embedFwd: sh.embedFwd, descriptor: sh.descriptor, gradT: sh.gradT, embedBwd: sh.embedBwd,
      blend: sh.blend, assemble: sh.assemble, gather: sh.gather,
      seed: seedShader(this.fitLayout.layers.at(-1)!.nIn),
    };
    const L = this.fitLayout.layers;
    L.forEach((l, k) => {
      // The output layer bypasses the activation (g.last): it shares the hidden layers' pipeline.
      srcs[`fit${k}`] = gemmShader({ mode: 'fwd', activation: k === L.length - 1 ? L[0].activation : l.activation });
      if (k < L.length - 1) srcs[`bwd${k}`] = gemmShader({ mode: 'bwd' });
    });
    this.dev.pushErrorScope('validation');
    // One at a time: Dawn in Node has crashed on many concurrent async pipeline creations.
    const entries: [string, Kernel][] = [];
    let byCode = PIPELINES.get(this.dev);
    if (!byCode) PIPELINES.set(this.dev, (byCode = new Map()));
    for (const [name, code] of Object.entries(srcs)) {
      const same = byCode.get(code);
      if (same) { entries.push([name, same]); continue; }
      const tc = performance.now();
      const module = this.dev.createShaderModule({ code, label: name });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((x) => x.type === 'error');
      if (errors.length) throw new Error(`WebGPU kernel '${name}' failed to compile: ${errors.map((x) => `${x.lineNum}:${x.linePos} ${x.message}`).join('; ')}`);
      // Explicit layouts from the declarations: 'auto' would drop bindings a kernel variant does not use.
      const layout = this.dev.createBindGroupLayout({ entries: bindingsOf(code), label: name });
      const pipeline = await this.dev.createComputePipelineAsync({
        layout: this.dev.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' }, label: name,
      });
      entries.push([name, { pipeline, layout }]);
      byCode.set(code, { pipeline, layout });
      this.compileMs[name] = performance.now() - tc;
    }
    const err = await this.dev.popErrorScope();
    if (err) throw new Error(`WebGPU pipeline creation failed: ${err.message}`);
    for (const [k, v] of entries) this.kernels.set(k, v);
  }

  // ------------------------------------------------------------------------------------------ buffers
  private prepare(system: System, cap: number): SystemBuffers {
    const m = this.model;
    const n = system.atype.length;
    const nt = m.typeMap.length;
    const map = system.species.map((s) => m.typeMap.indexOf(s));
    const mtype = Int32Array.from(system.atype, (a) => map[a]);
    // Order: model atoms by type, then atoms outside the model.
    const perm = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const ta = mtype[a] < 0 ? nt : mtype[a], tb = mtype[b] < 0 ? nt : mtype[b];
      return ta - tb || a - b;
    });
    const typeStart: number[] = [0];
    for (let t = 0; t < nt; t++) typeStart.push(typeStart[t] + mtype.filter((x) => x === t).length);
    const nModel = typeStart[nt];
    const sizes = bufferSizes(m, n, nModel, cap);
    const limit = Math.min(this.ctx.limits.maxStorageBufferBindingSize, this.ctx.limits.maxBufferSize);
    const [worst, bytes] = Object.entries(sizes).sort((a, b) => b[1] - a[1])[0];
    if (bytes > limit) {
      throw new PotentialRangeError(
        `${n} atoms need a ${(bytes / 2 ** 20).toFixed(0)} MiB '${worst}' buffer on the GPU, more than this adapter allows ` +
          `(${(limit / 2 ** 20).toFixed(0)} MiB): the largest system that fits is about ${Math.floor(limit / (bytes / n))} atoms.`,
      );
    }
    const buffers: Record<string, GPUBuffer> = {};
    for (const [k, s] of Object.entries(sizes)) buffers[k] = this.dev.createBuffer({ size: Math.max(16, Math.ceil(s / 16) * 16), usage: STORAGE, label: k });
    // Read back each step: forces/energies/virials, list counts, status flags.
    buffers.staging = this.dev.createBuffer({ size: 64 * n + 16 * n + 4 * n * (nt + 1), usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
    buffers.params = this.params;
    buffers.stats = this.stats;
    if (this.table) buffers.table = this.table;
    buffers.step = this.dev.createBuffer({ size: 16, usage: UNIFORM });
    buffers.geo = this.dev.createBuffer({ size: 96, usage: UNIFORM });
    buffers.nb = this.dev.createBuffer({ size: 4 * NB_PARAMS_FLOATS, usage: UNIFORM });
    // atomInfo: (model type, species, list count, 0)
    const info = new Int32Array(4 * n);
    for (let a = 0; a < n; a++) { info[4 * a] = mtype[perm[a]]; info[4 * a + 1] = system.atype[perm[a]]; }
    this.dev.queue.writeBuffer(buffers.atomInfo, 0, info);
    this.dev.queue.writeBuffer(buffers.step, 0, Uint32Array.of(n, nModel, cap, system.species.length));
    // Consts: the pair table then ZBL parameters per species pair.
    const tab = m.pairTable;
    const ns = system.species.length;
    const K = new Float32Array((tab ? tab.data.length : 0) + 8 * ns * ns + 4);
    if (tab) K.set(tab.data);
    const zo = tab ? tab.data.length : 0;
    const Z = system.species.map(zOf);
    for (let a = 0; a < ns; a++) for (let b = 0; b < ns; b++) {
      const s = makeZblSwitch(Z[a], Z[b], this.zblInner, this.zblCutoff);
      K.set([1 / zblScreening(Z[a], Z[b]), QQR2E * Z[a] * Z[b], s.A, s.B, s.C, s.rin, 0, 0], zo + 8 * (a * ns + b));
    }
    buffers.K = this.upload(K);
    // Per-type GEMM uniforms (forward and backward of each fitting layer).
    const L = this.fitLayout.layers;
    const dimIn = m.fitting.dimDescrpt + m.fitting.numbFparam + m.fitting.numbAparam;
    for (let t = 0; t < nt; t++) {
      const base = this.fitLayout.base[t];
      const rows = { rowOff: typeStart[t], M: typeStart[t + 1] - typeStart[t], ebias: m.fitting.biasAtomE[t] };
      L.forEach((l, k) => {
        const w = { wOff: base + l.w, bOff: base + l.b, idtOff: l.idt >= 0 ? base + l.idt : NO_IDT, nIn: l.nIn, skip: l.skip, last: k === L.length - 1 };
        const lda = k === 0 ? dimIn : L[k - 1].nOut;
        buffers[`gf${t}_${k}`] = this.upload(new Uint32Array(gemmUniform({ ...rows, ...w, K: l.nIn, N: l.nOut, lda, ldo: l.nOut })), UNIFORM);
        buffers[`gb${t}_${k}`] = this.upload(new Uint32Array(gemmUniform({ ...rows, ...w, K: l.nOut, N: l.nIn, lda: l.nOut, ldo: k === 0 ? dimIn : l.nIn })), UNIFORM);
      });
    }
    return { n, nModel, cap, nSpecies: ns, perm, typeStart, buffers, bindGroups: new Map(), nbins: 0 };
  }

  private bind(s: SystemBuffers, kernel: string, names: string[], key = kernel): GPUBindGroup {
    let bg = s.bindGroups.get(key);
    if (!bg) {
      const k = this.kernels.get(kernel)!;
      bg = this.dev.createBindGroup({
        layout: k.layout,
        entries: names.map((nm, binding) => ({ binding, resource: { buffer: s.buffers[nm] } })),
      });
      s.bindGroups.set(key, bg);
    }
    return bg;
  }

  private pass(ops: Op[], s: SystemBuffers, kernel: string, names: string[], groups: [number, number?, number?], key?: string): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const pipeline = this.kernels.get(kernel)!.pipeline;
    const bindGroup = this.bind(s, kernel, names, key);
    ops.push({
      label: kernel,
      encode: (enc) => {
        const p = enc.beginComputePass();
        p.setPipeline(pipeline);
        p.setBindGroup(0, bindGroup);
        p.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
        p.end();
      },
    });
  }

  /** Runs the step's commands: one command buffer, or (profiling) one submission per command, timed. */
  private async submit(ops: Op[]): Promise<void> {
    const dev = this.dev;
    const prof = this.profile;
    dev.pushErrorScope('validation');
    if (!prof) {
      const enc = dev.createCommandEncoder();
      for (const op of ops) op.encode(enc);
      dev.queue.submit([enc.finish()]);
    } else {
      for (const op of ops) {
        const enc = dev.createCommandEncoder();
        op.encode(enc);
        const t0 = performance.now();
        dev.queue.submit([enc.finish()]);
        await dev.queue.onSubmittedWorkDone();
        prof.set(op.label, (prof.get(op.label) ?? 0) + performance.now() - t0);
      }
    }
    const err = await dev.popErrorScope();
    if (err) throw new Error(`WebGPU error: ${err.message}`);
  }

  // ------------------------------------------------------------------------------------------ compute
  async compute(system: System): Promise<EvalResult> {
    if (this.disposed) throw new Error('this WebGPU potential was disposed');
    if (this.lost !== null) throw new GpuUnavailableError(`the GPU device was lost (${this.lost}); reload the page or use the CPU engine`);
    const n = system.atype.length;
    const coord = system.coord;
    for (let q = 0; q < coord.length; q++) if (!Number.isFinite(coord[q])) throw new PotentialRangeError(`atom ${Math.floor(q / 3)} has a non-finite coordinate`);
    if (!this.sys || !this.sameAtoms(system)) {
      this.releaseSystem();
      this.sys = this.prepare(system, this.initialCap());
      this.sysAtoms = { species: system.species.join(','), atype: Int32Array.from(system.atype) };
      this.built = null;
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const s = this.sys!;
      const rebuild = this.needsRebuild(system);
      const res = await this.run(s, system, rebuild);
      if (res.result) return res.result;
      // The list overflowed its capacity: grow it and do this step again.
      const cap = Math.ceil((res.maxCount * 1.25) / 8) * 8;
      this.releaseSystem();
      this.sys = this.prepare(system, cap);
      this.built = null;
    }
    throw new PotentialRangeError('the neighbour list kept overflowing: atoms are packed far denser than any material');
  }

  /** The atoms the current buffers were prepared for. */
  private sysAtoms: { species: string; atype: Int32Array } | null = null;

  private sameAtoms(system: System): boolean {
    const p = this.sysAtoms;
    if (!p || p.atype.length !== system.atype.length || p.species !== system.species.join(',')) return false;
    for (let i = 0; i < p.atype.length; i++) if (p.atype[i] !== system.atype[i]) return false;
    return true;
  }

  private initialCap(): number {
    return initialListCapacity(this.model, this.listCut);
  }

  private cellKey(system: System): string {
    return `${system.cell ? Array.from(system.cell).join(',') : 'none'}|${system.pbc.join(',')}`;
  }

  private needsRebuild(system: System): boolean {
    const b = this.built;
    if (!b || b.cell !== this.cellKey(system)) return true;
    const lim = (this.skin / 2) ** 2;
    const c = system.coord;
    for (let q = 0; q < c.length; q += 3) {
      const dx = c[q] - b.coord[q], dy = c[q + 1] - b.coord[q + 1], dz = c[q + 2] - b.coord[q + 2];
      if (dx * dx + dy * dy + dz * dz > lim) return true;
    }
    return false;
  }

  private async run(s: SystemBuffers, system: System, rebuild: boolean): Promise<{ result: EvalResult | null; maxCount: number }> {
    const dev = this.dev;
    const { n, nModel, perm } = s;
    const cell = system.cell;
    const periodic = [0, 1, 2].map((k) => Boolean(cell && system.pbc[k]));
    const nt = this.model.typeMap.length;
    // Wrap shifts are fixed at each build so that the list's image codes stay valid until the next one.
    if (rebuild) {
      const shift = new Float64Array(3 * n);
      if (cell && periodic.some(Boolean)) {
        const inv = inverse3(cell);
        for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) {
          if (!periodic[k]) continue;
          const x = system.coord.subarray(3 * i, 3 * i + 3);
          shift[3 * i + k] = Math.floor(x[0] * inv[k] + x[1] * inv[3 + k] + x[2] * inv[6 + k]);
        }
      }
      this.built = { coord: Float64Array.from(system.coord), cell: this.cellKey(system), shift };
    }
    const shift = this.built!.shift;
    const pos = new Float32Array(8 * n);
    // The bin grid (rebuilds only) needs the wrapped positions in float64.
    const wrapped = rebuild ? new Float64Array(3 * n) : null;
    for (let a = 0; a < n; a++) {
      const i = perm[a];
      for (let q = 0; q < 3; q++) {
        let x = system.coord[3 * i + q];
        if (cell) for (let k = 0; k < 3; k++) x -= shift[3 * i + k] * cell[3 * k + q];
        if (wrapped) wrapped[3 * a + q] = x;
        const hi = Math.round(x * 256) / 256;
        pos[8 * a + q] = hi;
        pos[8 * a + 4 + q] = x - hi;
      }
    }
    dev.queue.writeBuffer(s.buffers.pos, 0, pos);
    const geo = new Float32Array(24);
    for (let k = 0; k < 3; k++) for (let q = 0; q < 3; q++) {
      const L = cell ? cell[3 * k + q] : 0;
      const hi = Math.round(L * 256) / 256;
      geo[4 * k + q] = hi;
      geo[12 + 4 * k + q] = L - hi;
    }
    dev.queue.writeBuffer(s.buffers.geo, 0, geo);
    const f = this.model.fitting;
    if (f.numbFparam + f.numbAparam > 0) {
      const ex = new Float32Array(f.numbFparam + f.numbAparam * Math.max(nModel, 1) + 1);
      if (f.numbFparam) {
        if (!system.fparam || system.fparam.length !== f.numbFparam) throw new Error(`this model needs fparam with ${f.numbFparam} values`);
        for (let k = 0; k < f.numbFparam; k++) ex[k] = (system.fparam[k] - (f.fparamAvg?.[k] ?? 0)) * (f.fparamInvStd?.[k] ?? 1);
      }
      if (f.numbAparam) {
        if (!system.aparam || system.aparam.length !== n * f.numbAparam) throw new Error(`this model needs aparam with ${f.numbAparam} values per atom`);
        for (let a = 0; a < nModel; a++) for (let k = 0; k < f.numbAparam; k++) {
          ex[f.numbFparam + a * f.numbAparam + k] = (system.aparam[perm[a] * f.numbAparam + k] - (f.aparamAvg?.[k] ?? 0)) * (f.aparamInvStd?.[k] ?? 1);
        }
      }
      dev.queue.writeBuffer(s.buffers.extra, 0, ex);
    }
    const ops: Op[] = [];
    const g64 = Math.ceil(n / 64);
    if (rebuild) {
      this.rebuilds++;
      const nbp = this.binGrid(wrapped!, cell, periodic, n, s.cap);
      if (!s.buffers.binCount || s.nbins < nbp.nbins) {
        for (const k of ['binCount', 'binStart', 'binFill']) s.buffers[k]?.destroy();
        const nb = Math.max(nbp.nbins, s.nbins, 64);
        s.buffers.binCount = dev.createBuffer({ size: 4 * nb + 16, usage: STORAGE });
        s.buffers.binFill = dev.createBuffer({ size: 4 * nb + 16, usage: STORAGE });
        s.buffers.binStart = dev.createBuffer({ size: 4 * nb + 16, usage: STORAGE });
        s.nbins = nb;
        for (const k of [...s.bindGroups.keys()]) if (k.startsWith('nb')) s.bindGroups.delete(k);
      }
      dev.queue.writeBuffer(s.buffers.nb, 0, nbp.data);
      const binCount = s.buffers.binCount;
      ops.push({ label: 'clear', encode: (enc) => enc.clearBuffer(binCount) });
      this.pass(ops, s, 'nbBin', ['nb', 'geo', 'pos', 'binOf', 'binCount'], [g64]);
      this.pass(ops, s, 'nbScan', ['nb', 'geo', 'binCount', 'binStart', 'binFill'], [1]);
      this.pass(ops, s, 'nbPlace', ['nb', 'geo', 'binOf', 'binStart', 'binFill', 'binAtoms'], [g64]);
      this.pass(ops, s, 'nbList', ['nb', 'geo', 'pos', 'binOf', 'binStart', 'binAtoms', 'entries', 'atomInfo'], [g64]);
      this.pass(ops, s, 'nbRev', ['nb', 'geo', 'entries', 'atomInfo', 'rev'], [g64]);
    }
    const cmp = this.compressed;
    const wgA: [number, number, number] = [Math.min(nModel, 65535), nt, Math.ceil(nModel / 65535)];
    const wgAtom: [number, number] = [Math.min(nModel, 65535), Math.ceil(nModel / 65535)];
    this.pass(ops, s, 'select', ['step', 'geo', 'pos', 'atomInfo', 'entries', 'entryD', 'entrySlot', 'slotEntry', 'status'], [g64]);
    const embIn = ['step', 'slotEntry', 'entryD', 'atomInfo', 'params', 'stats'];
    this.pass(ops, s, 'embedFwd', [...embIn, 'Tpart', ...(cmp ? ['table'] : [])], wgA);
    this.pass(ops, s, 'descriptor', ['step', 'Tpart', 'X', 'extra'], wgAtom);
    const L = this.fitLayout.layers;
    for (let t = 0; t < nt; t++) {
      const M = s.typeStart[t + 1] - s.typeStart[t];
      if (M === 0) continue;
      L.forEach((l, k) => {
        const inp = k === 0 ? 'X' : `Y${k - 1}`;
        if (k === L.length - 1) this.pass(ops, s, `fit${k}`, [`gf${t}_${k}`, inp, 'params', `D${k}`, 'eDp'], gemmGrid(M, 1), `fit${k}_${t}`);
        else this.pass(ops, s, `fit${k}`, [`gf${t}_${k}`, inp, 'params', `D${k}`, `Y${k}`], gemmGrid(M, l.nOut), `fit${k}_${t}`);
      });
      // Backward: seed dE/dy of the last hidden layer with the output layer's weights, then reverse.
      const nh = L.length - 1;
      this.pass(ops, s, 'seed', [`gf${t}_${nh}`, 'params', 'gA'], [Math.ceil((M * L[nh].nIn) / 64)], `seed_${t}`);
      let cur = 'gA', other = 'gB';
      for (let k = nh - 1; k >= 0; k--) {
        const out = k === 0 ? 'gX' : other;
        this.pass(ops, s, `bwd${k}`, [`gb${t}_${k}`, cur, `D${k}`, 'params', out], gemmGrid(M, L[k].nIn), `bwd${k}_${t}_${cur}`);
        [cur, other] = [out, cur];
      }
    }
    this.pass(ops, s, 'gradT', ['step', 'Tpart', 'gX', 'gT'], wgAtom);
    this.pass(ops, s, 'embedBwd', [...embIn, 'gT', 'slotGrad', ...(cmp ? ['table'] : [])], wgA);
    this.pass(ops, s, 'blend', ['step', 'entries', 'entryD', 'entrySlot', 'atomInfo', 'eDp', 'K', 'blendInfo', 'status'], [g64]);
    this.pass(ops, s, 'assemble', ['step', 'entries', 'entryD', 'entrySlot', 'slotGrad', 'blendInfo', 'atomInfo', 'K', 'pairG'], [g64]);
    this.pass(ops, s, 'gather', ['step', 'entries', 'entryD', 'atomInfo', 'pairG', 'rev', 'blendInfo', 'out', 'status'], [g64]);
    const outBytes = 64 * n, infoBytes = 16 * n, statBytes = 4 * n * (nt + 1);
    const staging = s.buffers.staging;
    const { out: outBuf, atomInfo, status } = s.buffers;
    ops.push({
      label: 'readback',
      encode: (enc) => {
        enc.copyBufferToBuffer(outBuf, 0, staging, 0, outBytes);
        enc.copyBufferToBuffer(atomInfo, 0, staging, outBytes, infoBytes);
        enc.copyBufferToBuffer(status, 0, staging, outBytes + infoBytes, statBytes);
      },
    });
    await this.submit(ops);
    await staging.mapAsync(1);
    const raw = staging.getMappedRange();
    const out = new Float32Array(raw, 0, 16 * n).slice();
    const info = new Int32Array(raw, outBytes, 4 * n).slice();
    const stat = new Uint32Array(raw, outBytes + infoBytes, n * (nt + 1)).slice();
    staging.unmap();
    let maxCount = 0;
    for (let a = 0; a < n; a++) maxCount = Math.max(maxCount, info[4 * a + 2]);
    // A truncated list (count beyond capacity) is not symmetric: the caller grows it and runs again.
    return { result: maxCount <= s.cap ? this.unpack(system, s, out, stat) : null, maxCount };
  }

  private unpack(system: System, s: SystemBuffers, out: Float32Array, stat: Uint32Array): EvalResult {
    const { n, perm } = s;
    const m = this.model;
    const nt = m.typeMap.length;
    const force = new Float64Array(3 * n);
    const atomEnergy = new Float64Array(n);
    const atomVirial = new Float64Array(9 * n);
    const virial = new Float64Array(9);
    let energy = 0;
    const overflow = new Array<number>(nt).fill(0);
    let flags = 0;
    let flaggedAtom = -1;
    for (let a = 0; a < n; a++) {
      const i = perm[a];
      const o = 16 * a;
      force[3 * i] = out[o]; force[3 * i + 1] = out[o + 1]; force[3 * i + 2] = out[o + 2];
      atomEnergy[i] = out[o + 3];
      energy += out[o + 3];
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        const v = out[o + 4 * (r + 1) + c];
        atomVirial[9 * i + 3 * r + c] = v;
        virial[3 * r + c] += v;
      }
      for (let t = 0; t < nt; t++) overflow[t] += stat[a * (nt + 1) + t];
      const fl = stat[a * (nt + 1) + nt];
      if (fl && flaggedAtom < 0) flaggedAtom = i;
      flags |= fl;
    }
    const who = flaggedAtom >= 0 ? `atom ${flaggedAtom} (${system.species[system.atype[flaggedAtom]]})` : 'an atom';
    if (flags & FLAG_TOO_CLOSE) throw new PotentialRangeError(`${who} is closer than ${ZBL_MIN_DISTANCE} Å to another atom: the configuration is unphysical (check for duplicated atoms or a too-large time step)`);
    if (flags & FLAG_TABLE_RANGE) throw new PotentialRangeError(`${who} has a neighbour closer than the pair table's lower end ${m.pairTable?.rmin} Å: the model cannot describe this configuration`);
    if (flags & FLAG_NO_REVERSE) throw new Error('internal error: the GPU neighbour list is not symmetric');
    if (!Number.isFinite(energy)) throw new PotentialRangeError('the GPU evaluation produced a non-finite energy (atoms far too close?)');
    const warnings: string[] = [];
    overflow.forEach((c, t) => {
      if (c > 0) warnings.push(`${c} neighbours of type ${m.typeMap[t]} beyond sel[${t}] = ${m.descriptor.sel[t]} were dropped (the nearest are kept, as DeePMD-kit does); consider a model with larger sel`);
    });
    return { energy, atomEnergy, force, virial, atomVirial, warnings };
  }

  /** Bin grid: fractional coordinates along the cell rows (periodic) or the atoms' extent (open directions). */
  private binGrid(wrapped: Float64Array, cell: Float64Array | null, periodic: boolean[], n: number, cap: number): { data: ArrayBuffer; nbins: number } {
    const H = cell ? Float64Array.from(cell) : Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
    const Hinv = inverse3(H);
    const face = faceDistances(H);
    const rc = this.listCut;
    const nb = [1, 1, 1], reach = [0, 0, 0], umin = [0, 0, 0], invW = [1, 1, 1];
    for (let k = 0; k < 3; k++) {
      if (periodic[k]) {
        nb[k] = Math.max(1, Math.floor(face[k] / rc));
        invW[k] = nb[k];
        reach[k] = Math.ceil((rc * nb[k]) / face[k]);
        if (reach[k] > 127) throw new PotentialRangeError(`the cell is too thin along vector ${k + 1} (${face[k].toFixed(3)} Å) for a ${rc.toFixed(2)} Å neighbour list`);
      } else {
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
          const x = wrapped.subarray(3 * i, 3 * i + 3);
          const u = x[0] * Hinv[k] + x[1] * Hinv[3 + k] + x[2] * Hinv[6 + k];
          lo = Math.min(lo, u); hi = Math.max(hi, u);
        }
        const span = Math.max(hi - lo, 1e-6) * 1.000001 + 1e-6;
        umin[k] = lo - 1e-6;
        nb[k] = Math.max(1, Math.min(Math.floor((span * face[k]) / rc), 256));
        invW[k] = nb[k] / span;
        reach[k] = Math.ceil((rc * nb[k]) / (span * face[k]));
      }
    }
    // Keep the grid no larger than a few bins per atom.
    while (nb[0] * nb[1] * nb[2] > 4 * n + 64) {
      const k = [0, 1, 2].reduce((a, b) => (nb[b] > nb[a] ? b : a));
      const scale = (nb[k] - 1) / nb[k];
      nb[k] -= 1;
      invW[k] *= scale;
      reach[k] = Math.ceil((rc * invW[k]) / face[k]);
    }
    const buf = new ArrayBuffer(4 * NB_PARAMS_FLOATS);
    const U = new Uint32Array(buf), F = new Float32Array(buf);
    const nbins = nb[0] * nb[1] * nb[2];
    U.set([n, cap, nbins, 0, nb[0], nb[1], nb[2], 0, reach[0], reach[1], reach[2], 0, +periodic[0], +periodic[1], +periodic[2], 0]);
    F.set([0, 0, 0, 0], 16); // origin
    for (let k = 0; k < 3; k++) F.set([Hinv[k], Hinv[3 + k], Hinv[6 + k], 0], 20 + 4 * k);
    F.set([...umin, 0], 32);
    F.set([...invW, 0], 36);
    F[40] = rc * rc;
    return { data: buf, nbins };
  }

  private releaseSystem(): void {
    if (!this.sys) return;
    for (const [k, b] of Object.entries(this.sys.buffers)) if (!['params', 'stats', 'table'].includes(k)) b.destroy();
    this.sys = null;
  }

  dispose(): void {
    this.releaseSystem();
    this.params.destroy();
    this.stats.destroy();
    this.table?.destroy();
    this.disposed = true;
  }
}

/** dE/dy of the last hidden layer = the output layer's weight column, for every row of one type. */
const seedShader = (width: number): string => /* wgsl */ `
${GEMM_DECL}
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let idx = gid.x;
  if (idx >= g.M * ${width}u) { return; }
  let r = idx / ${width}u;
  let k = idx % ${width}u;
  OUT[(g.rowOff + r) * ${width}u + k] = P[g.wOff + k];
}
`;
