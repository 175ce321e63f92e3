import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard page: `web/` bundled into static files (`buildDashboard.ts` runs this). */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  // Relative asset URLs: the page works wherever the server mounts it.
  base: './',
  clearScreen: false,
  logLevel: 'warn',
  build: {
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    // lightweight-charts is one ~180 kB chunk; that is expected.
    chunkSizeWarningLimit: 400,
  },
});
