import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The built app makes no network requests at run time: everything (models, wasm) is bundled or served
// from the same origin. The CSP lives in index.html.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  optimizeDeps: { exclude: ['h5wasm'] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
