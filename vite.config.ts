import { defineConfig } from 'vite';

// The web app lives in web/; it runs the same sim/ core in a Web Worker.
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true },
  worker: { format: 'es' },
});
