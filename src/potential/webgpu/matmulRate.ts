// The adapter's dense f32 matrix-multiply rate, measured with the engine's own tiled GEMM kernel (gemm.ts,
// 'plain' mode): the yardstick the DP step's FLOP rate is compared with in the benchmark.
import type { GpuContext } from './device.ts';
import { gemmGrid, gemmShader, gemmUniform } from './gemm.ts';
import { bindingsOf } from './engine.ts';

export interface MatmulRate { size: number; ms: number; gflops: number }

/** C = A B for n x n matrices, `reps` timed runs after one warm-up; the best run counts. */
export async function measureMatmulRate(ctx: GpuContext, n: number, reps = 3): Promise<MatmulRate> {
  const dev = ctx.device;
  const code = gemmShader({ mode: 'plain' });
  const layout = dev.createBindGroupLayout({ entries: bindingsOf(code) });
  const pipeline = await dev.createComputePipelineAsync({ layout: dev.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module: dev.createShaderModule({ code }), entryPoint: 'main' } });
  const mk = (size: number, usage: number) => dev.createBuffer({ size, usage });
  const A = mk(4 * n * n, 0x80 | 0x8), B = mk(4 * n * n, 0x80 | 0x8), C = mk(4 * n * n, 0x80 | 0x4);
  const fill = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  dev.queue.writeBuffer(A, 0, fill);
  dev.queue.writeBuffer(B, 0, fill);
  const U = mk(64, 0x40 | 0x8);
  dev.queue.writeBuffer(U, 0, gemmUniform({ rowOff: 0, M: n, wOff: 0, bOff: 0, idtOff: 0, K: n, N: n, lda: n, ldo: n, nIn: n, skip: 'none', last: false, ebias: 0 }));
  const bg = dev.createBindGroup({ layout, entries: [U, A, B, C].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const read = mk(16, 0x1 | 0x8);
  const once = async () => {
    const enc = dev.createCommandEncoder();
    const p = enc.beginComputePass();
    p.setPipeline(pipeline);
    p.setBindGroup(0, bg);
    p.dispatchWorkgroups(...gemmGrid(n, n));
    p.end();
    enc.copyBufferToBuffer(C, 0, read, 0, 16);
    const t0 = performance.now();
    dev.queue.submit([enc.finish()]);
    await read.mapAsync(1);
    read.unmap();
    return performance.now() - t0;
  };
  await once();
  let best = Infinity;
  for (let k = 0; k < reps; k++) best = Math.min(best, await once());
  for (const b of [A, B, C, U, read]) b.destroy();
  return { size: n, ms: best, gflops: (2 * n ** 3) / (best * 1e6) };
}
