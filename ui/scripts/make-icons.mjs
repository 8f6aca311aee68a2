// Makes the app's icons (icons/*.png, RGBA) from ui/scripts/icon.svg with the Tauri CLI, keeping
// only the sizes tauri.conf.json bundles. Run from the repository root: `npm run icons`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEEP = ['32x32.png', '128x128.png', '128x128@2x.png', 'icon.png'];

const out = mkdtempSync(join(tmpdir(), 'casebook-icons-'));
try {
  execFileSync('npx', ['tauri', 'icon', 'ui/scripts/icon.svg', '--output', out], { stdio: 'inherit' });
  mkdirSync('icons', { recursive: true });
  for (const name of KEEP) copyFileSync(join(out, name), join('icons', name));
} finally {
  rmSync(out, { recursive: true, force: true });
}
