// `npm run build`: compile the server apps and libs to CommonJS in dist/ (SWC, decorator
// metadata for Nest, `@taskyard/*` aliases rewritten to relative paths so the image needs no
// TypeScript sources), type-check everything, and build the console to apps/console/dist.
import { transformFile } from '@swc/core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const sources = ['apps/api/src', 'apps/worker/src', 'apps/scheduler/src', ...readdirSync(join(root, 'libs')).map((l) => `libs/${l}/src`)];

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.ts$/.test(name) && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const paths = Object.fromEntries(readdirSync(join(root, 'libs')).map((l) => [`@taskyard/${l}`, [`libs/${l}/src/index.ts`]]));

execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
let count = 0;
for (const dir of sources) {
  if (!existsSync(join(root, dir))) continue;
  for (const file of walk(join(root, dir))) {
    const { code, map } = await transformFile(file, {
      sourceMaps: true,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        baseUrl: root,
        paths,
      },
      module: { type: 'commonjs' },
    });
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) writeFileSync(`${target}.map`, map);
    count++;
  }
}
for (const entry of ['apps/api/src/main.js', 'apps/worker/src/main.js', 'apps/scheduler/src/main.js', 'libs/persistence/src/cli/migrate.js']) {
  if (!existsSync(join(out, entry))) throw new Error(`build is missing dist/${entry}`);
}
console.log(`compiled ${count} files to dist/`);
execFileSync('npm', ['run', 'build:console'], { cwd: root, stdio: 'inherit' });
