import { defineConfig } from 'vite';

// The web app lives in web/; it runs the same sim/ core in a Web Worker.
export default defineConfig({
  root: 'web',
  base: './',
  // dist/web/: dist/node/ beside it holds the Node build (scripts/build.mjs), which this must not empty.
  build: { outDir: '../dist/web', emptyOutDir: true },
  worker: { format: 'es' },
});
