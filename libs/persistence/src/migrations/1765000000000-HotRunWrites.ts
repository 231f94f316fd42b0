import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Heartbeats and progress writes of running tasks become HOT updates (no index changes).
 * The running-task index was keyed on `heartbeat_at`, so every heartbeat added an entry to
 * each of the table's indexes; it is now keyed on the id, which never changes, and the
 * reaper reads the (few) running rows' heartbeats from the heap. A fill factor of 90 leaves
 * room on each page for the new row versions of those updates.
 */
export class HotRunWrites1765000000000 implements MigrationInterface {
  name = 'HotRunWrites1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_running2_idx ON tasks (id) WHERE status = 'running'`);
    await q.query(`DROP INDEX tasks_running_idx`);
    await q.query(`ALTER TABLE tasks SET (fillfactor = 90)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks RESET (fillfactor)`);
    await q.query(`CREATE INDEX tasks_running_idx ON tasks (heartbeat_at) WHERE status = 'running'`);
    await q.query(`DROP INDEX tasks_running2_idx`);
  }
}
