/**
 * Throttles a run's progress: events go out at most every `publishMs` (first call at once,
 * last call always), PostgreSQL is written at most every `persistMs`; the final value is
 * written with the outcome. A runner may call `progress` in a tight loop for free.
 */
export class ProgressTracker {
  progress = 0;
  message: string | null = null;
  private lastPublish = 0;
  private lastPersist = 0;
  private publishTimer: NodeJS.Timeout | undefined;
  private persistTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly publishMs: number,
    private readonly persistMs: number,
    private readonly onPublish: (progress: number, message: string | null) => void,
    private readonly onPersist: (progress: number, message: string | null) => void,
  ) {}

  update(percent: number, message?: string): void {
    if (this.stopped || !Number.isFinite(percent)) return;
    const next = Math.max(0, Math.min(100, Math.round(percent)));
    const nextMessage = message === undefined ? this.message : message.slice(0, 1_000);
    if (next === this.progress && nextMessage === this.message) return;
    this.progress = next;
    this.message = nextMessage;
    const now = Date.now();
    if (now - this.lastPublish >= this.publishMs) this.publish(now);
    else this.publishTimer ??= setTimeout(() => this.publish(Date.now()), this.publishMs - (now - this.lastPublish));
    if (now - this.lastPersist >= this.persistMs) this.persist(now);
    else this.persistTimer ??= setTimeout(() => this.persist(Date.now()), this.persistMs - (now - this.lastPersist));
  }

  private publish(now: number): void {
    this.publishTimer = undefined;
    this.lastPublish = now;
    this.onPublish(this.progress, this.message);
  }

  private persist(now: number): void {
    this.persistTimer = undefined;
    this.lastPersist = now;
    this.onPersist(this.progress, this.message);
  }

  /** Stops timers; the caller writes the final value with the outcome. */
  stop(): void {
    this.stopped = true;
    if (this.publishTimer) clearTimeout(this.publishTimer);
    if (this.persistTimer) clearTimeout(this.persistTimer);
  }
}
