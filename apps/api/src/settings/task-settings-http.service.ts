import { Inject, Injectable } from '@nestjs/common';
import type { LogStorageBackendDto, TaskSettingFieldDto } from '@taskyard/contracts';
import { InvalidTaskOptionsError, LogStoreRegistry, REDIS_COMMANDS, TaskSettingKeys, TaskSettingsRegistry, TaskSettingsService, type SettingValue, type RedisClient } from '@taskyard/tasks';

/** The short name the REST contract uses for `task_log_storage_backend`. */
const ALIASES: Record<string, string> = { log_storage_backend: TaskSettingKeys.LogStorageBackend };

export type TaskSettingsMap = Record<string, SettingValue>;

/** The settings API's flat map: every `task_*` key plus the `log_storage_backend` alias. */
@Injectable()
export class TaskSettingsHttpService {
  constructor(
    private readonly settings: TaskSettingsService,
    private readonly registry: TaskSettingsRegistry,
    private readonly logStores: LogStoreRegistry,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
  ) {}

  get(): TaskSettingsMap {
    return this.withAliases(this.settings.all());
  }

  /** Validates the whole map first (unknown key or wrong type: nothing is written). */
  async update(body: unknown): Promise<TaskSettingsMap> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidTaskOptionsError('body must be a JSON object of settings');
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const full = ALIASES[key] ?? key;
      if (full in values && values[full] !== value) throw new InvalidTaskOptionsError(`${key}: given twice with different values`);
      values[full] = value;
    }
    return this.withAliases(await this.settings.update(values, this.redis));
  }

  /** Defaults as text, as EZ-Console sends them (`value_type` says how to read them). */
  fields(): TaskSettingFieldDto[] {
    return this.registry.list().map((f) => ({ key: f.key, value_type: f.valueType, default_value: String(f.defaultValue) }));
  }

  logStorageBackends(): LogStorageBackendDto[] {
    return this.logStores.list();
  }

  private withAliases(all: Record<string, SettingValue>): TaskSettingsMap {
    const aliases = Object.fromEntries(Object.entries(ALIASES).map(([alias, key]) => [alias, all[key]]));
    return { ...aliases, ...all };
  }
}
