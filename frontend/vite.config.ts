/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dashboard SPA. `vite build` writes dist/ (index.html + assets/), which `handoff serve`
// serves at / with a fallback to index.html for client-side routes. The widget has its own
// configs (vite.widget.config.ts, vite.loader.config.ts) that write into dist/widget/.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: process.env.HANDOFF_URL ?? 'http://127.0.0.1:8080', changeOrigin: true },
      '/widget.js': process.env.HANDOFF_URL ?? 'http://127.0.0.1:8080',
      '/widget': process.env.HANDOFF_URL ?? 'http://127.0.0.1:8080',
    },
  },
  // `npm test` runs both apps' unit tests: the dashboard's in jsdom, the widget's in node
  // unless a file asks for jsdom with `// @vitest-environment jsdom`.
  test: {
    testTimeout: 30000,
    projects: [
      { extends: true, test: { name: 'dashboard', include: ['src/**/*.test.{ts,tsx}'], environment: 'jsdom', setupFiles: ['src/test/setup.ts'] } },
      { extends: true, test: { name: 'widget', include: ['widget/**/*.test.ts'], environment: 'node' } },
    ],
  },
});
