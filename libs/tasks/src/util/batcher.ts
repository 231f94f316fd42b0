interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export interface BatcherOptions {
  /** Flush as soon as this many items wait. */
  maxSize: number;
  /** Flush at most this long after the first item of a batch arrived (0: next macrotask). */
  maxWaitMs: number;
  /**
   * At most this many flushes run at once (default: no limit). While they run, new items
   * gather into the next batch, which goes as soon as one finishes: batches grow with the
   * load on their own, and writes to the same rows' index pages do not contend.
   */
  maxInFlight?: number;
}

/**
 * Coalesces concurrent single-item calls into one call over many items: the worker's claim
 * and completion writes, and creates, each become one statement per batch instead of one
 * round trip per task. `flush` returns one output per input, in order.
 */
export class Batcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.saturated()) return; // goes when a running flush finishes
      if (this.queue.length >= this.options.maxSize) this.flushNow();
      else this.timer ??= setTimeout(() => (this.saturated() ? (this.timer = undefined) : this.flushNow()), this.options.maxWaitMs);
    });
  }

  private saturated(): boolean {
    return this.inFlight.size >= (this.options.maxInFlight ?? Infinity);
  }

  /** Waits until everything added so far has been flushed. */
  async drain(): Promise<void> {
    this.flushNow();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxSize);
    const run = this.run(batch);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.queue.length > 0 && !this.saturated()) this.flushNow();
    });
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const out = await this.flush(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new Error(`batch flush returned ${out.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    }
  }
}
