// `npm run build:preload`: bundles preload/electron-preload.ts and the contract it imports into one CommonJS file,
// dist/preload/electron-preload.cjs, with Vite's library build (Vite is already a dependency for the renderer;
// esbuild is not installed with Vite 8, which bundles with Rolldown).
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist/preload',
    // tsc writes the rest of dist/preload; only this file is ours.
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'es2022',
    lib: {
      entry: 'preload/electron-preload.ts',
      formats: ['cjs'],
      fileName: () => 'electron-preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
