// Worker memory: resident set size of a real worker process (from its /metrics,
// process_resident_memory_bytes) idle, at full concurrency (50 sleeping tasks), and idle again
// after a burst of no-op tasks.
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform } from '../test/support/platform';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { ProbeCollector } from './support/probes';
import { readMemory, startBenchWorker } from './support/stack';

const CONCURRENCY = 50;
const BURST = 5_000;

export async function runMemory(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('memory');
  const platform = await startPlatform(bench.env);
  try {
    await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: CONCURRENCY }, platform.redis);
    const worker = await startBenchWorker(bench.env);
    try {
      const probes = new ProbeCollector(worker);
      await sleep(3_000);
      const idle = await readMemory(worker.port);
      const sleeping = await platform.tasks.createTasks({}, Array.from({ length: CONCURRENCY }, () => ({ type: 'bench_sleep', payload: { ms: 8_000 } })));
      await probes.waitAll('started', sleeping.map((t) => t.id), 30_000);
      await sleep(2_000);
      const busy = await readMemory(worker.port);
      await platform.tasks.createTasks({}, Array.from({ length: BURST }, () => ({ type: 'bench_noop' })));
      for (;;) {
        const [row] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE status IN ('pending', 'running')`);
        if (Number(row.n) === 0) break;
        await sleep(250);
      }
      await sleep(3_000);
      const after = await readMemory(worker.port);
      const rows = [
        { state: 'idle (after start)', 'RSS MiB': idle.rss_mib, 'heap used MiB': idle.heap_used_mib },
        { state: `${CONCURRENCY} tasks running (sleeping)`, 'RSS MiB': busy.rss_mib, 'heap used MiB': busy.heap_used_mib },
        { state: `idle after ${BURST} more tasks`, 'RSS MiB': after.rss_mib, 'heap used MiB': after.heap_used_mib },
      ];
      console.log(table(rows));
      const result = { concurrency: CONCURRENCY, idle, full_concurrency: busy, idle_after_burst: after, burst: BURST };
      console.log(`results: ${writeResult('memory', result)}`);
      return result;
    } finally {
      await worker.kill();
    }
  } finally {
    await platform.close();
    await bench.cleanup();
  }
}
