// Raw BullMQ baseline: a no-op Worker in its own process, as a Taskyard worker runs in its own.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const connection = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker(process.env.QUEUE ?? 'bench', async () => null, {
  connection,
  prefix: process.env.REDIS_PREFIX,
  concurrency: Number(process.env.CONCURRENCY ?? 50),
});
void worker.waitUntilReady().then(() => process.stdout.write(`${JSON.stringify({ msg: 'started', port: 0 })}\n`));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
