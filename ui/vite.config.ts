// Builds the window's html/js/css into ui/dist, which the Tauri app embeds.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [svelte()],
  // The Tauri CLI prints its own output; keep ours on screen.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK / WKWebView / WebView2 of supported systems.
    target: ['safari16', 'chrome110'],
    sourcemap: false,
    // No inlined assets: the CSP allows only files of the app itself.
    assetsInlineLimit: 0,
  },
});
