// `npm run setup`: everything after `npm ci` on a fresh machine: build the web console,
// create and migrate the database, and check the browser the UI tests use.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = (...args) => execFileSync('npm', args, { cwd: root, stdio: 'inherit' });

npm('run', 'build:console');
npm('run', 'db:migrate');
if (!existsSync('/usr/bin/chromium')) {
  console.log('Installing Debian chromium for the browser tests (apt-get)...');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!install || install.status !== 0) console.warn('Could not install chromium: browser tests will fail until /usr/bin/chromium exists.');
}
console.log('Set-up done: `npm start` runs the system, `npm test` runs every test.');
