// Raw BullMQ baseline: a no-op Worker in its own process, as a Taskyard worker runs in its own.
// With MARK=1 the processor reports when it started (`{"bench":"started","id","at"}` on stdout),
// like the Taskyard `bench_mark` runner. With BACKEND=postgres the Worker uses BullMQ's own
// PostgreSQL backend (`createPostgresBackend`) on PG_URL, schema PG_SCHEMA (already migrated),
// with a pool of PG_POOL_MAX connections; otherwise Redis on REDIS_URL / REDIS_PREFIX.
import { Worker, createPostgresBackend, type Processor } from 'bullmq';
import IORedis from 'ioredis';

const mark = process.env.MARK === '1';
const queueName = process.env.QUEUE ?? 'bench';
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const processor: Processor = async (job) => {
  if (mark) process.stdout.write(`${JSON.stringify({ bench: 'started', id: job.id, at: Date.now() })}\n`);
  return null;
};

function redisWorker(): Worker {
  const connection = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  return new Worker(queueName, processor, { connection, prefix: process.env.REDIS_PREFIX, concurrency });
}

function postgresWorker() {
  const connection = { connectionString: process.env.PG_URL, schema: process.env.PG_SCHEMA, max: Number(process.env.PG_POOL_MAX ?? 10) };
  return new Worker(queueName, processor, { connection, concurrency }, createPostgresBackend);
}

const worker = process.env.BACKEND === 'postgres' ? postgresWorker() : redisWorker();
void worker.waitUntilReady().then(() => process.stdout.write(`${JSON.stringify({ msg: 'started', port: 0 })}\n`));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
