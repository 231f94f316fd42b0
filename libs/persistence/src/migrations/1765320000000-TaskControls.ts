import type { MigrationInterface, QueryRunner } from 'typeorm';

const NEW_PERMISSIONS = ['task:queue:view', 'task:queue:update', 'system:fleet:view'];

/**
 * Operator controls of queues and task types: pause (fleet-wide, persisted here, announced on
 * pub/sub) and rate-limit overrides of a type. The three new permission codes go to the
 * built-in admin and operator roles.
 */
export class TaskControls1765320000000 implements MigrationInterface {
  name = 'TaskControls1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_controls (
      scope varchar(8) NOT NULL CHECK (scope IN ('queue', 'type')),
      name varchar(128) NOT NULL,
      paused boolean NOT NULL DEFAULT false,
      paused_at timestamptz,
      rate_max int CHECK (rate_max > 0),
      rate_interval_ms int CHECK (rate_interval_ms > 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by varchar(64),
      PRIMARY KEY (scope, name),
      CHECK ((rate_max IS NULL) = (rate_interval_ms IS NULL)),
      CHECK (scope = 'type' OR rate_max IS NULL)
    )`);
    await q.query(
      `UPDATE roles SET permissions = permissions || ARRAY(SELECT unnest($1::text[]) EXCEPT SELECT unnest(permissions))
        WHERE id IN ('admin', 'operator')`,
      [NEW_PERMISSIONS],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = ARRAY(SELECT unnest(permissions) EXCEPT SELECT unnest($1::text[]))`, [NEW_PERMISSIONS]);
    await q.query(`DROP TABLE task_controls`);
  }
}
