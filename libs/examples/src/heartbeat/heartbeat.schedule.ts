import { defaultScheduledJobRegistry, type ScheduledJobRegistry } from '@taskyard/tasks';

export const HEARTBEAT_SCHEDULE_ID = 'example-heartbeat';
export const HEARTBEAT_TASK_TYPE = 'example_heartbeat';

// A type alias (not an interface) so it is assignable to JsonValue.
export type HeartbeatPayload = { fire_time: string };

/**
 * The example cron job: every minute, a tiny task that proves the scheduler, the queue and a
 * worker are alive end to end. The definition lives in code; its enabled state is toggled
 * from the console and persisted. Call once per process, before the Nest app starts.
 */
export function registerExampleSchedules(registry: ScheduledJobRegistry = defaultScheduledJobRegistry): void {
  if (registry.get(HEARTBEAT_SCHEDULE_ID)) return;
  registry.register<HeartbeatPayload>({
    id: HEARTBEAT_SCHEDULE_ID,
    name: 'Example heartbeat',
    spec: '0 * * * * *',
    description: 'Runs a no-op task every minute to show the pipeline is alive',
    taskType: HEARTBEAT_TASK_TYPE,
    payloadBuilder: ({ fireTime }) => ({ fire_time: fireTime.toISOString() }),
    runner: async (ctx) => {
      ctx.logger.info(`heartbeat for the fire at ${ctx.task.payload.fire_time}`);
      return { lag_ms: Date.now() - Date.parse(ctx.task.payload.fire_time) };
    },
  });
}
