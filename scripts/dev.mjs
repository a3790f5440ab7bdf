// `npm run dev`: installs what is missing, then hands over to scripts/dev.ts, which needs
// the installed TypeScript runner. Plain JavaScript so it runs on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (installIsStale()) {
  console.log('installing dependencies (npm ci)…');
  const install = spawnSync('npm', ['ci'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'scripts', 'dev.ts'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);

/**
 * True when node_modules is missing or older than the lock file (after a pull that changed
 * dependencies, say). npm writes node_modules/.package-lock.json on every install.
 */
function installIsStale() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed) || !existsSync(join(root, 'node_modules', 'tsx'))) return true;
  return statSync(installed).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
}
