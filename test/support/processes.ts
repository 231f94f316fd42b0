import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  port: number;
  output: string[];
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a TypeScript entry point as a real child process and waits for its `started` log
 * line (which carries its HTTP port), or for another announced line such as `listening`
 * (logged as soon as the port answers, before the process waits for its dependencies).
 */
export async function startProcess(name: string, entry: string, env: Record<string, string>, timeoutMs = 30_000, readyMsg = 'started'): Promise<RunningProcess> {
  // NODE_ARGS passes flags NODE_OPTIONS refuses (e.g. --cpu-prof for profiling a benchmark).
  const nodeArgs = (env.NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '-r', join(ROOT, 'scripts', 'register.cjs'), join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`)), timeoutMs);
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 2_000) output.splice(0, 1_000);
      if (!line.includes(`"msg":"${readyMsg}"`)) return;
      try {
        const parsed = JSON.parse(line) as { port?: number };
        if (typeof parsed.port === 'number') {
          clearTimeout(timer);
          resolve(parsed.port);
        }
      } catch {
        // not JSON
      }
    };
    let buffered = '';
    const feed = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start (code ${code}, signal ${signal}):\n${output.slice(-20).join('\n')}`));
    });
  });
  return {
    name,
    child,
    port,
    output,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
