// `npm start`: build the console when it is missing or older than its sources, create and
// migrate the database, then run api, worker and scheduler as child processes (the console is
// served by the api) and print where to open it. Ctrl-C (or SIGTERM) stops them all gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const register = join(root, 'scripts', 'register.cjs');

/** Newest modification time (ms) of the files under `path`. */
const newest = (path) => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((n) => n !== 'node_modules' && n !== 'dist').map((n) => newest(join(path, n))));
};

const consoleDir = join(root, 'apps', 'console');
const builtAt = newest(join(consoleDir, 'dist', 'index.html'));
const sourcesAt = Math.max(newest(consoleDir), newest(join(root, 'libs', 'contracts', 'src')));
if (!process.env.CONSOLE_DIST_DIR && builtAt < sourcesAt) {
  console.log(builtAt ? 'The console is older than its sources: rebuilding it...' : 'Building the web console (first start)...');
  const build = spawnSync('npm', ['run', 'build:console'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('The console build failed (see above); not starting.');
    process.exit(1);
  }
}

const run = (name, entry, output = 'inherit') => {
  const child = spawn(process.execPath, ['-r', register, join(root, entry)], { cwd: root, stdio: ['inherit', output, 'inherit'], env: process.env });
  child.name = name;
  return child;
};

const migrate = run('migrate', 'libs/persistence/src/cli/migrate.ts');
const migrated = await new Promise((resolve) => migrate.on('exit', (code) => resolve(code === 0)));
if (!migrated) {
  console.error('The database migration failed (see the reason above); not starting.');
  process.exit(1);
}

// The api's output is passed through and read for the lines the banner needs.
const api = run('api', 'apps/api/src/main.ts', 'pipe');
const children = [api, run('worker', 'apps/worker/src/main.ts'), run('scheduler', 'apps/scheduler/src/main.ts')];
let generatedPassword;
let buffered = '';
api.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buffered += chunk.toString('utf8');
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const password = /generated password \(shown once\): (\S+?)"/.exec(line);
    if (password) generatedPassword = password[1];
    if (line.includes('"msg":"started"')) {
      const port = /"port":(\d+)/.exec(line)?.[1] ?? process.env.API_PORT ?? '3000';
      banner(port);
    }
  }
});

function banner(port) {
  const user = process.env.ADMIN_USERNAME || 'admin';
  const password = generatedPassword
    ? `password ${generatedPassword} (generated on this first start and shown once: keep it)`
    : process.env.ADMIN_PASSWORD
      ? 'the password in ADMIN_PASSWORD'
      : 'the password printed when the admin was created (first start), or set ADMIN_PASSWORD on an empty database';
  const lines = [`Taskyard is running. Console: http://localhost:${port}/`, `Log in as "${user}" with ${password}.`, `Worker and scheduler health: http://localhost:${process.env.WORKER_METRICS_PORT || 9101}/health/ready and :${process.env.SCHEDULER_METRICS_PORT || 9102}. Ctrl-C stops everything.`];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  process.stdout.write(`\n${rule}\n${lines.map((l) => `| ${l.padEnd(width)} |`).join('\n')}\n${rule}\n\n`);
}

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));
let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          if (!stopping) {
            console.error(`${child.name} exited (code ${code}, signal ${signal}); stopping the others`);
            exitCode = 1;
            stop('SIGTERM');
          }
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
