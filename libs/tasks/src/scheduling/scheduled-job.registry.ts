import { CronExpressionParser } from 'cron-parser';
import type { JsonValue } from '@taskyard/contracts';
import { InvalidTaskOptionsError } from '../errors';
import { defaultTaskRegistry, type TaskRegistry } from '../registry/task-registry';
import type { TaskFunc, TaskTypeOptions } from '../runner/runner.types';

/** What a payload builder learns about the fire it builds for. */
export interface ScheduleFire {
  scheduleId: string;
  fireTime: Date;
  /** True for "trigger now" from the API. */
  manual: boolean;
}

/** A cron job defined in code (spec §4). Definitions are not stored; their enabled state is. */
export interface ScheduledJobDefinition<P extends JsonValue = JsonValue> {
  id: string;
  name: string;
  /** Cron spec, 5 fields (minute) or 6 fields (second first). */
  spec: string;
  description?: string;
  taskType: string;
  payloadBuilder?: (fire: ScheduleFire) => P | Promise<P>;
  maxRetries?: number;
  /** Registers `taskType` with this runner (a convenience for jobs that own their type). */
  runner?: TaskFunc<P, unknown>;
  runnerOptions?: TaskTypeOptions;
  /** IANA zone of the spec (default UTC). */
  timezone?: string;
  /** Without it, a fire's task expires when the next fire is due (`not_after`). */
  disableNotAfter?: boolean;
  /** Enabled until someone toggles it off (default true). */
  enabledByDefault?: boolean;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,127}$/;

/** Parses a spec in a zone; throws a clear error for an invalid one. */
export function parseCron(spec: string, timezone = 'UTC', from = new Date()) {
  try {
    return CronExpressionParser.parse(spec, { currentDate: from, tz: timezone, strict: false });
  } catch (err) {
    throw new InvalidTaskOptionsError(`invalid cron spec ${JSON.stringify(spec)}: ${(err as Error).message}`);
  }
}

/** Next fire strictly after `from`. */
export function nextFire(def: Pick<ScheduledJobDefinition, 'spec' | 'timezone'>, from: Date): Date {
  return parseCron(def.spec, def.timezone, from).next().toDate();
}

/** The latest fire time at or before `at`. */
export function previousFire(def: Pick<ScheduledJobDefinition, 'spec' | 'timezone'>, at: Date): Date {
  return parseCron(def.spec, def.timezone, new Date(at.getTime() + 1)).prev().toDate();
}

/** Scheduled job definitions of this process. */
export class ScheduledJobRegistry {
  private readonly jobs = new Map<string, ScheduledJobDefinition>();

  constructor(private readonly tasks: TaskRegistry = defaultTaskRegistry) {}

  /** Registers a definition; a duplicate id or an invalid spec is an error at startup. */
  register<P extends JsonValue = JsonValue>(def: ScheduledJobDefinition<P>): void {
    if (!ID_PATTERN.test(def.id)) throw new InvalidTaskOptionsError(`invalid scheduled job id: ${JSON.stringify(def.id)}`);
    if (this.jobs.has(def.id)) throw new InvalidTaskOptionsError(`scheduled job already registered: ${def.id}`);
    if (def.spec.trim().split(/\s+/).length < 5) throw new InvalidTaskOptionsError(`invalid cron spec ${JSON.stringify(def.spec)}: expected 5 or 6 fields`);
    parseCron(def.spec, def.timezone);
    if (def.runner) this.tasks.registerFuncTaskType(def.taskType, def.runner, def.runnerOptions);
    this.jobs.set(def.id, def as unknown as ScheduledJobDefinition);
  }

  get(id: string): ScheduledJobDefinition | undefined {
    return this.jobs.get(id);
  }

  all(): ScheduledJobDefinition[] {
    return [...this.jobs.values()];
  }

  /** Fails loudly when a job names a task type that no runner is registered for. */
  assertRunnable(tasks: TaskRegistry): void {
    const missing = this.all().filter((j) => !tasks.has(j.taskType));
    if (missing.length > 0) {
      throw new InvalidTaskOptionsError(`scheduled jobs name task types with no runner: ${missing.map((j) => `${j.id} -> ${j.taskType}`).join(', ')}`);
    }
  }
}

export const defaultScheduledJobRegistry = new ScheduledJobRegistry();

/** Registers a cron job definition in the process-wide registry (spec §4). */
export function registerScheduledJob<P extends JsonValue = JsonValue>(def: ScheduledJobDefinition<P>): void {
  defaultScheduledJobRegistry.register(def);
}
