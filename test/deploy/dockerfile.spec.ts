import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { APP_DEFAULTS, BUILD_OUTPUTS, readRepoFile, repoPath, REPO_ROOT } from './support/repo';
import { flag, isIgnored, parseDockerfile, readIgnorePatterns, type Instruction } from './support/dockerfile';

const dockerfile = parseDockerfile(readRepoFile('docker/Dockerfile'));
const ignore = readIgnorePatterns(readRepoFile('docker/Dockerfile.dockerignore'));
const final = dockerfile.stages[dockerfile.stages.length - 1];

function stageNamed(name: string): number {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (stage === undefined) throw new Error(`Dockerfile has no stage named ${name}`);
  return stage.index;
}

function inStage(stage: number, keyword?: string): Instruction[] {
  return dockerfile.instructions.filter((i) => i.stage === stage && (keyword === undefined || i.keyword === keyword));
}

describe('docker/Dockerfile', () => {
  it('uses the stable BuildKit Dockerfile syntax (cache mounts, per-Dockerfile ignore file)', () => {
    expect(dockerfile.directives.syntax).toBe('docker/dockerfile:1');
  });

  it('builds in stages on node:20-bookworm-slim', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'prod-deps', 'build', 'runtime']));
    const names = dockerfile.stages.map((s) => s.name);
    for (const stage of dockerfile.stages) {
      expect({ stage: stage.name, image: names.includes(stage.image) ? 'an earlier stage' : stage.image }).toEqual({
        stage: stage.name,
        image: expect.stringMatching(/^(node:20-bookworm-slim|an earlier stage)$/) as unknown,
      });
    }
    expect(final?.name).toBe('runtime');
    expect(final?.image).toBe('node:20-bookworm-slim');
  });

  it('runs the final image as a non-root user in production mode', () => {
    const users = inStage(final?.index ?? -1, 'USER').map((u) => u.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['node', '1000']).toContain(users[users.length - 1]);
    expect(users.filter((u) => u === 'root' || u === '0')).toEqual([]);
    expect(inStage(final?.index ?? -1, 'ENV').map((e) => e.args).join(' ')).toMatch(/\bNODE_ENV=production\b/);
  });

  it('ships only production dependencies in the final image', () => {
    expect(inStage(stageNamed('prod-deps'), 'RUN').map((r) => r.args).join(' ')).toMatch(/npm ci\b[^&]*--omit=dev/);
    const copies = inStage(final?.index ?? -1, 'COPY');
    // Only the production dependency tree and build outputs reach the final image; the deps
    // and build stages hold dev dependencies.
    expect([...new Set(copies.map((c) => flag(c, 'from')).filter((f) => f !== undefined))].sort()).toEqual(['build', 'prod-deps']);
    expect(copies.filter((c) => c.args.includes('node_modules')).map((c) => flag(c, 'from'))).toEqual(['prod-deps']);
  });

  it('copies the compiled apps and the console bundle, and checks the build produced every entry point', () => {
    const copies = inStage(final?.index ?? -1, 'COPY').filter((c) => flag(c, 'from') === 'build').map((c) => c.args.split(/\s+/)[0]);
    expect(copies).toEqual(expect.arrayContaining(['/app/dist', `/app/${BUILD_OUTPUTS.console}`]));
    const build = inStage(stageNamed('build'), 'RUN').map((r) => r.args).join(' ');
    expect(build).toContain('npm run build');
    for (const entry of [BUILD_OUTPUTS.api, BUILD_OUTPUTS.worker, BUILD_OUTPUTS.scheduler, BUILD_OUTPUTS.migrate]) {
      expect(build).toContain(`test -f ${entry}`);
    }
  });

  it('starts the api by default and exposes the default process ports', () => {
    const [cmd] = inStage(final?.index ?? -1, 'CMD');
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(['node', BUILD_OUTPUTS.api]);
    const exposed = inStage(final?.index ?? -1, 'EXPOSE').flatMap((e) => e.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual([APP_DEFAULTS.API_PORT, APP_DEFAULTS.WORKER_METRICS_PORT, APP_DEFAULTS.SCHEDULER_METRICS_PORT].sort());
  });

  it('leaves health checking to the orchestrator (no HEALTHCHECK)', () => {
    expect(dockerfile.instructions.filter((i) => i.keyword === 'HEALTHCHECK')).toEqual([]);
  });

  it('copies from the build context only paths that exist, and from stages defined earlier', () => {
    for (const copy of dockerfile.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      const from = flag(copy, 'from');
      const sources = copy.args.split(/\s+/).slice(0, -1);
      if (from !== undefined) {
        expect(stageNamed(from)).toBeLessThan(copy.stage);
        continue;
      }
      for (const source of sources) expect({ source, exists: existsSync(repoPath(source)) }).toEqual({ source, exists: true });
    }
  });
});

describe('docker/Dockerfile.dockerignore', () => {
  it('sits next to the Dockerfile under the name BuildKit looks for', () => {
    expect(existsSync(repoPath('docker/Dockerfile.dockerignore'))).toBe(true);
  });

  it('keeps host builds, dependencies, secrets and git history out of the context', () => {
    for (const path of ['node_modules', 'node_modules/yaml/package.json', 'apps/console/node_modules', 'dist', 'apps/console/dist', '.git', '.env', 'libs/auth/.env']) {
      expect({ path, ignored: isIgnored(ignore, path) }).toEqual({ path, ignored: true });
    }
  });

  it('keeps every source file the build needs', () => {
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /^(apps|libs|scripts)\//.test(f) || /^(package(-lock)?\.json|tsconfig[^/]*\.json)$/.test(f));
    expect(tracked).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.base.json']));
    const dropped = tracked.filter((f) => isIgnored(ignore, f) && !/(^|\/)(dist|node_modules)\//.test(f));
    expect(dropped).toEqual([]);
  });

  it('matches patterns the way Docker does', () => {
    const sut = isIgnored;
    expect(sut(['**/dist'], 'apps/console/dist/index.html')).toBe(true);
    expect(sut(['**/dist'], 'dist')).toBe(true);
    expect(sut(['**/dist'], 'libs/distance/x.ts')).toBe(false);
    expect(sut(['docs', '!docs/keep.md'], 'docs/keep.md')).toBe(false);
    expect(sut(['*.log'], 'a/b.log')).toBe(false);
  });
});
