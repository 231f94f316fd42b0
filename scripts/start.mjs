// `npm start`: migrate, then run api, worker and scheduler as child processes (the console is
// served by the api). Ctrl-C (or SIGTERM) stops them all gracefully.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const register = join(root, 'scripts', 'register.cjs');
const run = (name, entry) => {
  const child = spawn(process.execPath, ['-r', register, join(root, entry)], { cwd: root, stdio: 'inherit', env: process.env });
  child.name = name;
  return child;
};

const migrate = run('migrate', 'libs/persistence/src/cli/migrate.ts');
const migrated = await new Promise((resolve) => migrate.on('exit', (code) => resolve(code === 0)));
if (!migrated) {
  console.error('migration failed; not starting');
  process.exit(1);
}

const children = [
  run('api', 'apps/api/src/main.ts'),
  run('worker', 'apps/worker/src/main.ts'),
  run('scheduler', 'apps/scheduler/src/main.ts'),
];
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
