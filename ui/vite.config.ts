// Builds ui/dist, the bundle src-tauri's frontendDist loads: two pages, index.html (window
// `main`) and approval.html (window `approval`), sharing one stylesheet. The output must run under a CSP of
// script-src 'self' and style-src 'self': one external module script, external CSS, no inline
// module-preload polyfill, no eval.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    // Inlined assets become data: URLs; keep every asset a file so img-src/font-src can stay 'self'.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    rollupOptions: {
      input: { main: 'index.html', approval: 'approval.html' },
      output: { chunkFileNames: 'assets/shared-[hash].js' },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.ts'],
    restoreMocks: true,
  },
});
