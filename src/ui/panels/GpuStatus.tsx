import { describeGpu } from '../gpuInfo';
import { useApp } from '../store';

/** Header badge: which WebGPU adapter the GPU engine will use, or that the CPU engine will be used. */
export function GpuStatus() {
  const gpu = useApp((s) => s.gpu);
  const state = gpu === null ? 'pending' : gpu.available ? 'ok' : 'unavailable';
  const text = gpu === null ? 'WebGPU: detecting adapter…' : describeGpu(gpu);
  return (
    <p className={`gpu-status gpu-${state}`} role="status" aria-live="polite" data-testid="gpu-status" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
