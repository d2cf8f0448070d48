import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The built app makes no network requests at run time: everything (models, wasm) is bundled or served
// from the same origin. The CSP lives in index.html.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // three.js (viewer chunk) and h5wasm (4.8 MB wasm, loaded only for .dp files) are large by nature.
  build: {
    target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 6000,
    // gpu-check.html: the GPU engine against the float64 reference in the user's browser (and in the e2e test).
    rollupOptions: { input: { main: 'index.html', gpuCheck: 'gpu-check.html' } },
  },
  optimizeDeps: { exclude: ['h5wasm'] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
