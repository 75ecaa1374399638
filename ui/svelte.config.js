// Svelte compiler options shared by Vite, Vitest and svelte-check.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    runes: true,
    // Component CSS goes to an external stylesheet, so the app's CSP can say style-src 'self'.
    css: 'external',
  },
};
