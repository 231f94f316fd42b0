// Raw BullMQ baseline: a no-op Worker in its own process, as a Taskyard worker runs in its own.
// With MARK=1 the processor reports when it started (`{"bench":"started","id","at"}` on stdout),
// like the Taskyard `bench_mark` runner.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const mark = process.env.MARK === '1';
const connection = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker(process.env.QUEUE ?? 'bench', async (job) => {
  if (mark) process.stdout.write(`${JSON.stringify({ bench: 'started', id: job.id, at: Date.now() })}\n`);
  return null;
}, {
  connection,
  prefix: process.env.REDIS_PREFIX,
  concurrency: Number(process.env.CONCURRENCY ?? 50),
});
void worker.waitUntilReady().then(() => process.stdout.write(`${JSON.stringify({ msg: 'started', port: 0 })}\n`));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
