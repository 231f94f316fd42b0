import { LogStoreSet, TaskLogReader, TaskSettingKeys, type LogLine, type TaskLogStore } from '@taskyard/tasks';
import { PARKED_TYPE, startPlatform, type Platform } from '../support/platform';
import { createTestEnv, type TestEnv } from '../support/test-env';

/**
 * Switching `task_log_storage_backend` must not hide the lines written before the switch (nor
 * after switching back): a task's log is read from every backend, merged by time, and a tail
 * (`after`) continues wherever its last line is stored.
 */
describe('task logs across log backends', () => {
  let env: TestEnv;
  let platform: Platform;
  let reader: TaskLogReader;
  let database: TaskLogStore;
  let redis: TaskLogStore;

  beforeAll(async () => {
    env = await createTestEnv('log_backends');
    platform = await startPlatform(env.env);
    reader = platform.app.get(TaskLogReader);
    const set = platform.app.get(LogStoreSet);
    database = set.get('database');
    redis = set.get('redis');
  });

  afterAll(async () => {
    await platform?.close();
    await env?.cleanup();
  });

  const t0 = Date.now() - 60_000;
  const lines = (taskId: string, from: number, to: number): LogLine[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ taskId, level: 'info' as const, message: `line ${from + i}`, at: new Date(t0 + (from + i) * 10) }));
  const messages = (list: { message: string }[]) => list.map((l) => l.message);

  it('reads lines written before a switch, after it and after switching back, in time order', async () => {
    const task = await platform.tasks.createTask({}, PARKED_TYPE, {});
    // database (1-5), then redis (6-10), then database again (11-14): a task retried across two switches.
    await database.append(lines(task.id, 1, 5));
    await redis.append(lines(task.id, 6, 10));
    await database.append(lines(task.id, 11, 14));
    const all = await reader.read(task.id, { limit: 100 });
    expect(messages(all)).toEqual(Array.from({ length: 14 }, (_, i) => `line ${i + 1}`));

    // Tailing after a line in either backend gives exactly the lines after it.
    for (const cut of [2, 5, 6, 9, 10, 12]) {
      const tail = await reader.read(task.id, { after: all[cut - 1].id, limit: 100 });
      expect(messages(tail)).toEqual(messages(all.slice(cut)));
    }
    // A page at a time, the way the console tails: no line lost or repeated.
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await reader.read(task.id, { after, limit: 3 });
      if (page.length === 0) break;
      paged.push(...messages(page));
      after = page[page.length - 1].id;
    }
    expect(paged).toEqual(messages(all));
  });

  it('orders lines of the same instant by backend, consistently for full reads and tails', async () => {
    const task = await platform.tasks.createTask({}, PARKED_TYPE, {});
    const at = new Date(t0);
    await redis.append([{ taskId: task.id, level: 'info', message: 'r1', at }]);
    await database.append([{ taskId: task.id, level: 'info', message: 'd1', at }]);
    const all = await reader.read(task.id, { limit: 10 });
    expect(messages(all)).toEqual(['d1', 'r1']);
    expect(messages(await reader.read(task.id, { after: all[0].id, limit: 10 }))).toEqual(['r1']);
    expect(await reader.read(task.id, { after: all[1].id, limit: 10 })).toEqual([]);
  });

  it('reads the backend that is no longer selected as well as the selected one', async () => {
    const task = await platform.tasks.createTask({}, PARKED_TYPE, {});
    await database.append(lines(task.id, 1, 2));
    await platform.settings.update({ [TaskSettingKeys.LogStorageBackend]: 'redis' }, platform.redis);
    await redis.append(lines(task.id, 3, 4));
    expect(messages(await reader.read(task.id, { limit: 10 }))).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
  });
});
