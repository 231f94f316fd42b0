import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Generous: these files start processes while other suites load the machine.
const START_MS = 60_000;

/**
 * A worker frozen past its job lock (SIGSTOP) and resumed: BullMQ's stalled check hands the job
 * back and the same worker takes the run over as a new attempt while the old attempt's runner
 * is still going. The old runner settling must not end the new attempt's heartbeat (the reaper
 * would then take a healthy run again).
 */
describe('take-over on the same worker', () => {
  let env: TestEnv;
  let platform: Platform;
  let scheduler: RunningProcess;
  let worker: RunningProcess;

  beforeAll(async () => {
    // A lease longer than the freeze, so only BullMQ's redelivery takes the run over (not the
    // reaper), and short enough that a run left without heartbeat is reaped before it ends.
    env = await createTestEnv('takeover', { RUN_LEASE_MS: '5000', MAX_RECOVERIES: '5' });
    platform = await startPlatform(env.env);
    [scheduler, worker] = await Promise.all([startProcess('scheduler', SCHEDULER, env.env, START_MS), startProcess('worker', WORKER, env.env, START_MS)]);
  });

  afterAll(async () => {
    if (worker?.child.pid) process.kill(worker.child.pid, 'SIGCONT');
    await Promise.all([scheduler, worker].map((p) => p?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  it('runs the new attempt to its end with one recovery after the old attempt settles', async () => {
    const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 12_000, steps: 60 } });
    // Freeze late in the run, so the old attempt ends while the new one still has more than a
    // lease to go.
    await waitFor(async () => (await platform.get(task.id)).progress >= 55, 20_000, 'the run to pass 55 %');
    const lock = `${env.prefix}:${task.queue}:${task.id}_0:lock`;
    process.kill(worker.child.pid!, 'SIGSTOP');
    try {
      await waitFor(async () => (await platform.redis.exists(lock)) === 0, 10_000, 'the frozen worker to lose its job lock');
    } finally {
      process.kill(worker.child.pid!, 'SIGCONT');
    }
    await waitFor(async () => (await platform.get(task.id)).attempt >= 2, 10_000, 'the same worker to take the run over');
    const done = await platform.finished(task.id, 40_000);
    expect(done).toMatchObject({ status: 'success', attempt: 2, recoveries: 1 });
    expect(worker.output.filter((l) => l.includes('runner ignored cancellation'))).toEqual([]);
  });
});
