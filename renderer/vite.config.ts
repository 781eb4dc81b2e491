// The dashboard's build: renderer/ in, renderer/dist out, served by `switchboard serve` and loaded by the app's
// window. Both pages run under a CSP without inline scripts or styles, so nothing may be inlined: no module
// preload polyfill (an inline script) and assets always as files under /assets/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
