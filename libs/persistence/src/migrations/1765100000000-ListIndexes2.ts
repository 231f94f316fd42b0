import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two `GET /api/tasks` cases that read far more than a page at 1M tasks (BENCHMARKS.md):
 *
 * - `sort=-finished_at` sorted every task (392 ms p95). `tasks_finished_list_idx` holds the
 *   list's exact order (`finished_at DESC NULLS LAST, created_at DESC, id DESC`). It replaces
 *   the retention job's `(finished_at)` index, whose range scan it serves as well; soft-deleted
 *   tasks, which it leaves out, get a small index of their own for retention.
 * - `status` with `type` visited the heap for the type of every row of the status (188 ms
 *   for a deep page). The status list index now carries the type (INCLUDE), so both filters
 *   are answered from the index alone. It replaces the previous status index (no extra index
 *   to maintain on writes).
 */
export class ListIndexes21765100000000 implements MigrationInterface {
  name = 'ListIndexes21765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_finished_list_idx ON tasks (finished_at DESC NULLS LAST, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_deleted_idx ON tasks (deleted_at) WHERE deleted_at IS NOT NULL`);
    await q.query(`DROP INDEX tasks_finished_idx`);
    await q.query(`CREATE INDEX tasks_status_list3_idx ON tasks (status, created_at DESC, id DESC) INCLUDE (type) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX tasks_status_list2_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_status_list2_idx ON tasks (status, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX tasks_status_list3_idx`);
    await q.query(`CREATE INDEX tasks_finished_idx ON tasks (finished_at) WHERE finished_at IS NOT NULL`);
    await q.query(`DROP INDEX tasks_deleted_idx`);
    await q.query(`DROP INDEX tasks_finished_list_idx`);
  }
}
