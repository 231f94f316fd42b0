// Benchmark runner: `node -r ./scripts/register.cjs bench/run.ts [name...]` runs the named
// benchmarks (default: all, in the order below) one after the other, prints each table and
// writes bench/results/<name>.json. Exits 1 on the first error, 2 on an unknown name.
// (A `require.main === module` guard never fires under the SWC register hook, so the bench
// files only export their run function and this file is the one entry point.)
import { runApiCreate, runApiReads } from './api.bench';
import { runHistory, runRetention } from './history.bench';
import { runLatency } from './latency.bench';
import { runList } from './list.bench';
import { runMemory } from './memory.bench';
import { runThroughput } from './throughput.bench';

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  throughput: runThroughput,
  latency: runLatency,
  list: runList,
  memory: runMemory,
  history: runHistory,
  retention: runRetention,
  'api-reads': runApiReads,
  'api-create': runApiCreate,
};

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  const started = performance.now();
  for (const name of selected) {
    const t0 = performance.now();
    console.log(`\n## ${name}`);
    try {
      await BENCHMARKS[name]();
    } catch (err) {
      console.error(`benchmark ${name} failed:`, err);
      return 1;
    }
    console.log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  console.log(`\nall done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

void main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
