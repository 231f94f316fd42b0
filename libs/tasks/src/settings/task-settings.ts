import { Channels, type SettingValueType } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import { InvalidTaskOptionsError } from '../errors';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { Db } from '../state/db';

export type SettingValue = number | boolean | string;

export interface SettingField {
  key: string;
  valueType: SettingValueType;
  defaultValue: SettingValue;
  /** Extra validation (range, allowed values); returns a problem or null. */
  validate?: (value: SettingValue) => string | null;
}

/** Built-in setting keys (stored with the `task_` prefix). */
export const TaskSettingKeys = {
  MaxConcurrent: 'task_max_concurrent',
  LogStorageBackend: 'task_log_storage_backend',
  LogRetentionDays: 'task_log_retention_days',
  RetentionDays: 'task_retention_days',
} as const;

/** Typed task settings, registered in code, stored in `task_settings`. */
export class TaskSettingsRegistry {
  private readonly fields = new Map<string, SettingField>();

  constructor() {
    const positive = (max: number) => (v: SettingValue) => (typeof v === 'number' && v >= 1 && v <= max ? null : `must be between 1 and ${max}`);
    this.register({ key: 'max_concurrent', valueType: 'int', defaultValue: 10, validate: positive(1000) });
    this.register({ key: 'log_storage_backend', valueType: 'string', defaultValue: 'database' });
    this.register({ key: 'log_retention_days', valueType: 'int', defaultValue: 30, validate: positive(3650) });
    this.register({ key: 'retention_days', valueType: 'int', defaultValue: 90, validate: positive(3650) });
  }

  /** Registers a setting; `key` is stored as `task_<key>`. */
  register(field: SettingField): void {
    const key = field.key.startsWith('task_') ? field.key : `task_${field.key}`;
    if (!/^task_[a-z0-9_]{1,100}$/.test(key)) throw new InvalidTaskOptionsError(`invalid setting key: ${field.key}`);
    if (this.fields.has(key)) throw new InvalidTaskOptionsError(`task setting already registered: ${key}`);
    if (typeof coerce(field.valueType, field.defaultValue) !== typeof field.defaultValue) {
      throw new InvalidTaskOptionsError(`default of ${key} is not a ${field.valueType}`);
    }
    this.fields.set(key, { ...field, key });
  }

  get(key: string): SettingField | undefined {
    return this.fields.get(key);
  }

  /** Every registered setting, with its full `task_` key and typed default. */
  list(): SettingField[] {
    return [...this.fields.values()];
  }

  keys(): string[] {
    return [...this.fields.keys()];
  }
}

export const defaultTaskSettingsRegistry = new TaskSettingsRegistry();

/** Registers a task setting (`int`, `bool` or `string`), stored as `task_<key>`. */
export function registerTaskSetting(key: string, valueType: SettingValueType, defaultValue: SettingValue): void {
  defaultTaskSettingsRegistry.register({ key, valueType, defaultValue });
}

function coerce(type: SettingValueType, raw: unknown): SettingValue | undefined {
  switch (type) {
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'string':
      return typeof raw === 'string' && raw.length <= 10_000 ? raw : undefined;
  }
}

/**
 * Reads and writes settings. Each process keeps a cached copy, refreshed when any replica
 * announces a change on pub/sub and every `refreshMs` as a fallback.
 */
export class TaskSettingsService {
  private readonly logger = new Logger('task-settings');
  private values = new Map<string, SettingValue>();
  private loadSeq = 0;
  private appliedSeq = 0;
  private readonly listeners = new Set<(values: ReadonlyMap<string, SettingValue>) => void>();
  private timer: NodeJS.Timeout | undefined;
  private readonly channel: string;

  constructor(
    private readonly db: Db,
    readonly registry: TaskSettingsRegistry,
    connections: RedisConnections,
    /** Extra validation by key that needs other services (e.g. known log backends). */
    private readonly extraValidation: (key: string, value: SettingValue) => string | null = () => null,
  ) {
    this.channel = connections.channel(Channels.SettingsChanged);
  }

  async load(): Promise<ReadonlyMap<string, SettingValue>> {
    // Loads can overlap (timer + change message); a slow older read must not overwrite a newer one.
    const seq = ++this.loadSeq;
    const rows = await this.db.rows<{ key: string; value: string }>(`SELECT key, value FROM task_settings`);
    if (seq < this.appliedSeq) return this.values;
    this.appliedSeq = seq;
    const next = new Map<string, SettingValue>();
    for (const field of this.registry.list()) next.set(field.key, field.defaultValue);
    for (const { key, value } of rows) {
      const field = this.registry.get(key);
      if (!field) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
      const typed = coerce(field.valueType, parsed);
      if (typed !== undefined) next.set(key, typed);
    }
    const changed = [...next].some(([k, v]) => this.values.get(k) !== v) || next.size !== this.values.size;
    this.values = next;
    if (changed) for (const l of this.listeners) l(next);
    return next;
  }

  /** Loads, then follows changes (pub/sub + periodic refresh). */
  async watch(subscriber: RedisClient, refreshMs = 10_000): Promise<void> {
    await this.load();
    subscriber.on('message', (channel: string) => {
      if (channel === this.channel) void this.load().catch((err: Error) => this.logger.warn('settings reload failed', { error: err.message }));
    });
    await subscriber.subscribe(this.channel);
    this.timer = setInterval(() => void this.load().catch(() => undefined), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  onChange(listener: (values: ReadonlyMap<string, SettingValue>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(key: string): SettingValue {
    const value = this.values.get(key) ?? this.registry.get(key)?.defaultValue;
    if (value === undefined) throw new InvalidTaskOptionsError(`unknown task setting: ${key}`);
    return value;
  }

  getInt(key: string): number {
    return Number(this.get(key));
  }

  getString(key: string): string {
    return String(this.get(key));
  }

  all(): Record<string, SettingValue> {
    return Object.fromEntries(this.registry.keys().map((k) => [k, this.get(k)]));
  }

  /**
   * Validates and stores several settings atomically, then tells every process. Unknown keys
   * and ill-typed values are rejected as a whole (nothing is written).
   */
  async update(values: Record<string, unknown>, redis: RedisClient): Promise<Record<string, SettingValue>> {
    const problems: string[] = [];
    const typed: [string, SettingValue][] = [];
    for (const [key, raw] of Object.entries(values)) {
      const field = this.registry.get(key);
      if (!field) {
        problems.push(`${key}: unknown setting`);
        continue;
      }
      const value = coerce(field.valueType, raw);
      if (value === undefined) {
        problems.push(`${key}: must be ${field.valueType === 'int' ? 'an integer' : field.valueType === 'bool' ? 'a boolean' : 'a string'}`);
        continue;
      }
      const problem = field.validate?.(value) ?? this.extraValidation(key, value);
      if (problem) problems.push(`${key}: ${problem}`);
      else typed.push([key, value]);
    }
    if (problems.length > 0) throw new InvalidTaskOptionsError(problems.join('; '));
    if (typed.length > 0) {
      await this.db.rows(
        `INSERT INTO task_settings (key, value, updated_at) SELECT k, v, now() FROM unnest($1::varchar[], $2::text[]) AS s(k, v)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [typed.map(([k]) => k), typed.map(([, v]) => JSON.stringify(v))],
      );
      await redis.publish(this.channel, '1').catch(() => 0);
      await this.load();
    }
    return this.all();
  }
}
