import { Batcher } from './batcher';

/** A flush whose calls the test releases by hand. */
function manualFlush() {
  const calls: { items: number[]; release: () => void }[] = [];
  const flush = (items: number[]) =>
    new Promise<number[]>((resolve) => calls.push({ items, release: () => resolve(items.map((i) => i * 10)) }));
  return { calls, flush };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('coalesces concurrent adds into one flush and answers each in order', async () => {
    const { calls, flush } = manualFlush();
    const batcher = new Batcher(flush, { maxSize: 100, maxWaitMs: 0 });
    const results = Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    await new Promise((r) => setTimeout(r, 5));
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
    calls[0].release();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('flushes at maxSize without waiting for the window', async () => {
    const { calls, flush } = manualFlush();
    const batcher = new Batcher(flush, { maxSize: 2, maxWaitMs: 60_000 });
    void batcher.add(1);
    void batcher.add(2);
    void batcher.add(3);
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
    calls[0].release();
    const drained = batcher.drain();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3]]);
    calls[1].release();
    await drained;
  });

  it('with maxInFlight, gathers the next batch while one runs and sends it when that one ends', async () => {
    const { calls, flush } = manualFlush();
    const batcher = new Batcher(flush, { maxSize: 3, maxWaitMs: 0, maxInFlight: 1 });
    const first = batcher.add(1);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [2, 3, 4, 5].map((i) => batcher.add(i));
    await new Promise((r) => setTimeout(r, 5));
    expect(calls.map((c) => c.items)).toEqual([[1]]); // 2..5 wait: one flush is running
    calls[0].release();
    expect(await first).toBe(10);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]); // at most maxSize per batch
    calls[1].release();
    await tick();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4], [5]]);
    calls[2].release();
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50]);
  });

  it('rejects every item of a failed flush, and the next batch still goes', async () => {
    let fail = true;
    const batcher = new Batcher(async (items: number[]) => {
      if (fail) throw new Error('db down');
      return items;
    }, { maxSize: 10, maxWaitMs: 0, maxInFlight: 1 });
    const failed = [batcher.add(1), batcher.add(2)].map((p) => p.catch((err: Error) => err.message));
    expect(await Promise.all(failed)).toEqual(['db down', 'db down']);
    fail = false;
    expect(await batcher.add(3)).toBe(3);
  });

  it('drain waits for everything added, including batches held back by maxInFlight', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher(async (items: number[]) => {
      await new Promise((r) => setTimeout(r, 2));
      flushed.push(items);
      return items;
    }, { maxSize: 2, maxWaitMs: 50, maxInFlight: 1 });
    for (let i = 1; i <= 5; i++) void batcher.add(i);
    await batcher.drain();
    expect(flushed.flat()).toEqual([1, 2, 3, 4, 5]);
  });
});
