// WebGPU detection for the status line. No React, no DOM beyond `navigator.gpu`, so the simulation worker and
// tests can reuse it. navigator.gpu exists only in a secure context (http://127.0.0.1, http://localhost, https).

export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** null when the browser does not say. */
  isFallbackAdapter: boolean | null;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxStorageBuffersPerShaderStage: number;
    maxBufferSize: number;
  };
}

export type GpuInfo =
  | { available: true; adapter: GpuAdapterSummary }
  | { available: false; reason: string };

interface NavigatorLike {
  gpu?: GPU;
}

const ADAPTER_TIMEOUT_MS = 15_000;

/** Asks the browser for a WebGPU adapter and summarises it; never throws. */
export async function detectGpu(nav: NavigatorLike | undefined = globalThis.navigator as NavigatorLike | undefined): Promise<GpuInfo> {
  if (!nav?.gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return {
      available: false,
      reason: secure === false
        ? 'this page is not a secure context (serve it from https, localhost or 127.0.0.1)'
        : 'this browser does not expose navigator.gpu',
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await withTimeout(nav.gpu.requestAdapter(), ADAPTER_TIMEOUT_MS);
  } catch (e) {
    return { available: false, reason: `requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!adapter) {
    return { available: false, reason: 'no WebGPU adapter was found (the GPU may be blocklisted or WebGPU disabled)' };
  }
  return { available: true, adapter: summariseAdapter(adapter) };
}

export function summariseAdapter(adapter: GPUAdapter): GpuAdapterSummary {
  // adapter.info is current; requestAdapterInfo() was removed from the spec. isFallbackAdapter moved from the
  // adapter to adapter.info; read both.
  const a = adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };
  const info = a.info;
  const fallback = typeof info?.isFallbackAdapter === 'boolean'
    ? info.isFallbackAdapter
    : typeof a.isFallbackAdapter === 'boolean' ? a.isFallbackAdapter : null;
  const l = adapter.limits;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: fallback,
    features: [...adapter.features].map(String).sort(),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxBufferSize: l.maxBufferSize,
    },
  };
}

/** "swiftshader (google, swiftshader)": the most specific names the browser gives, without repeats. */
export function adapterName(a: GpuAdapterSummary): string {
  const parts = [a.description, a.vendor, a.architecture, a.device].map((s) => s.trim()).filter(Boolean);
  const unique = parts.filter((p, i) => parts.findIndex((q) => q.toLowerCase() === p.toLowerCase()) === i);
  if (unique.length === 0) return 'unnamed adapter';
  const [head, ...rest] = unique;
  return rest.length ? `${head} (${rest.join(', ')})` : head;
}

/** The one-line status shown in the header. */
export function describeGpu(info: GpuInfo): string {
  if (!info.available) return `WebGPU unavailable: ${info.reason}. The CPU engine will be used.`;
  const fb = info.adapter.isFallbackAdapter;
  return `WebGPU: ${adapterName(info.adapter)}, fallback: ${fb === null ? 'unknown' : fb ? 'yes' : 'no'}`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer after ${ms / 1000} s`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
