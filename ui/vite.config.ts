// Builds the window's html/js/css into ui/dist, which the Tauri app embeds.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Tauri freezes `Object.prototype` in the window (`freezePrototype` in tauri.conf.json), and two
 * d3 modules that Observable Plot imports assign `constructor` and `toString` to objects that
 * inherit them from it: in a module (strict code) that assignment throws, so the dashboard's
 * charts would never load. Each fix gives the object the property as its own first, which is
 * what the assignment meant. The build fails when a package is bundled without its fix (an
 * upgrade moved the line), so it is looked at again rather than broken in the window.
 */
function frozenPrototypeFixes(): Plugin {
  const fixes = [
    {
      pkg: '/node_modules/d3-color/',
      line: '  prototype.constructor = constructor;',
      owned: 'Object.defineProperty(prototype, "constructor", {writable: true, enumerable: true, configurable: true});',
    },
    {
      pkg: '/node_modules/d3-format/',
      line: 'FormatSpecifier.prototype.toString = function() {',
      owned:
        'Object.defineProperty(FormatSpecifier.prototype, "toString", {writable: true, enumerable: true, configurable: true});',
    },
  ];
  const applied = new Set<string>();
  return {
    name: 'casebook-frozen-prototype-fixes',
    apply: 'build',
    transform(code, id) {
      const fix = fixes.find((f) => id.includes(f.pkg));
      const at = fix ? code.indexOf(fix.line) : -1;
      if (!fix || at < 0) return null;
      if (code.indexOf(fix.line, at + 1) >= 0) this.error(`${id} holds ${fix.line} twice: see frozenPrototypeFixes`);
      applied.add(fix.pkg);
      return { code: code.slice(0, at) + fix.owned + '\n' + code.slice(at), map: null };
    },
    buildEnd(error) {
      if (error) return;
      const bundled = [...this.getModuleIds()];
      for (const fix of fixes) {
        if (!applied.has(fix.pkg) && bundled.some((id) => id.includes(fix.pkg))) {
          this.error(`${fix.pkg} is bundled but no module of it holds ${fix.line}: see frozenPrototypeFixes`);
        }
      }
    },
  };
}

export default defineConfig({
  root,
  plugins: [svelte(), frozenPrototypeFixes()],
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
