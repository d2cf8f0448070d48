import { describe, expect, it } from 'vitest';
import { describeGpu, detectGpu } from './gpuInfo';

const fakeAdapter = (info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) =>
  ({
    info,
    features: new Set(['timestamp-query', 'subgroups']),
    limits: {
      maxStorageBufferBindingSize: 1 << 30,
      maxComputeWorkgroupStorageSize: 32768,
      maxComputeInvocationsPerWorkgroup: 256,
      maxStorageBuffersPerShaderStage: 10,
      maxBufferSize: 1 << 30,
    },
  }) as unknown as GPUAdapter;

const nav = (requestAdapter: () => Promise<GPUAdapter | null>) => ({ gpu: { requestAdapter } as unknown as GPU });

describe('detectGpu', () => {
  it('reports a missing navigator.gpu and that the CPU engine will be used', async () => {
    const info = await detectGpu({});
    expect(info.available).toBe(false);
    expect(describeGpu(info)).toMatch(/^WebGPU unavailable: .*navigator\.gpu.*CPU engine will be used\.$/);
  });

  it('reports a null adapter', async () => {
    const info = await detectGpu(nav(async () => null));
    expect(info).toEqual({ available: false, reason: expect.stringMatching(/no WebGPU adapter/) });
  });

  it('reports a rejected requestAdapter without throwing', async () => {
    const info = await detectGpu(nav(async () => { throw new Error('boom'); }));
    expect(info.available).toBe(false);
    expect(describeGpu(info)).toContain('boom');
  });

  it('describes SwiftShader as Chromium reports it', async () => {
    const info = await detectGpu(nav(async () => fakeAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true })));
    expect(describeGpu(info)).toBe('WebGPU: google (swiftshader), fallback: yes');
    if (!info.available) throw new Error('expected an adapter');
    expect(info.adapter.features).toEqual(['subgroups', 'timestamp-query']);
    expect(info.adapter.limits.maxComputeWorkgroupStorageSize).toBe(32768);
  });

  it('names a hardware adapter without repeats and reads the legacy isFallbackAdapter', async () => {
    const a = fakeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100' });
    (a as unknown as { isFallbackAdapter: boolean }).isFallbackAdapter = false;
    const info = await detectGpu(nav(async () => a));
    expect(describeGpu(info)).toBe('WebGPU: NVIDIA H100 (nvidia, hopper), fallback: no');
  });

  it('says "unknown" when the browser does not report fallback status, and names an anonymous adapter', async () => {
    const info = await detectGpu(nav(async () => fakeAdapter({ vendor: '', architecture: '', device: '', description: '' })));
    expect(describeGpu(info)).toBe('WebGPU: unnamed adapter, fallback: unknown');
  });
});
