// Builds the console into dist/console, which the engine serves (engine/api/static-files.ts).
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: { outDir: '../dist/console', emptyOutDir: true },
  // `npm run dev:console` proxies the API to an engine on the default port.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});
