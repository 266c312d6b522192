// The chat frame app, served by `handoff serve` at /widget/frame (files under /widget/).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./widget', import.meta.url));

export default defineConfig({
  root,
  base: '/widget/',
  publicDir: false,
  build: {
    outDir: '../dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    rollupOptions: { input: { frame: `${root}/frame.html` } },
  },
});
