// The loader customers embed: one self-contained IIFE at dist/widget/widget.js (served at /widget.js).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./widget', import.meta.url)),
  publicDir: false,
  build: {
    outDir: '../dist/widget',
    emptyOutDir: false,
    target: 'es2018',
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('./widget/src/loader/index.ts', import.meta.url)),
      formats: ['iife'],
      name: 'HandoffWidgetLoader',
      fileName: () => 'widget.js',
    },
  },
});
