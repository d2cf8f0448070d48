// The WebGPU device for the DP engine: the adapter's maxima are requested (large systems need big storage
// buffers and 32 KiB of workgroup memory), and its name and kind are kept for reports. Works with the browser's
// navigator.gpu and with Dawn in Node (nodeGpu.ts).

export interface GpuContext {
  device: GPUDevice;
  /** "vendor architecture (description)", e.g. "google swiftshader (SwiftShader driver 5.0.0)". */
  adapterName: string;
  /** A CPU implementation (SwiftShader, lavapipe) rather than a real GPU. */
  isFallback: boolean;
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxStorageBuffersPerShaderStage: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
  };
}

export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

export async function createGpuContext(gpu: GPU | undefined): Promise<GpuContext> {
  if (!gpu) throw new GpuUnavailableError('WebGPU is not available here (no navigator.gpu): use a browser with WebGPU enabled, or the CPU engine.');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuUnavailableError('No WebGPU adapter was found: the GPU may be blocklisted or WebGPU disabled; the CPU engine still works.');
  const a = adapter.limits;
  const limits = {
    maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
    maxBufferSize: a.maxBufferSize,
    maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
    maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
  };
  if (limits.maxComputeInvocationsPerWorkgroup < 256 || limits.maxStorageBuffersPerShaderStage < 8) {
    throw new GpuUnavailableError(`This GPU's WebGPU limits are too small for the engine (${limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup, ${limits.maxStorageBuffersPerShaderStage} storage buffers per stage; 256 and 8 are needed).`);
  }
  const device = await adapter.requestDevice({ requiredLimits: { ...limits } });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const adapterName = [info.vendor, info.architecture].filter(Boolean).join(' ') + (info.description ? ` (${info.description})` : '');
  const isFallback = Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(adapterName);
  return { device, adapterName: adapterName || 'unknown adapter', isFallback, limits };
}
