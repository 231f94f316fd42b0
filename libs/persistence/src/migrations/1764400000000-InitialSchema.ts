import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks, logs, artifacts, settings, schedule state, users and roles.
 * Every list, tailing, reconciler and reaper query has an index below that serves it.
 */
export class InitialSchema1764400000000 implements MigrationInterface {
  name = 'InitialSchema1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        type varchar(128) NOT NULL,
        queue varchar(128) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        progress_message text,
        result jsonb,
        error text,
        creator_id varchar(64) NOT NULL,
        category varchar(16) NOT NULL CHECK (category IN ('user', 'system')),
        cron_schedule_id varchar(128),
        artifact_file_key varchar(128),
        artifact_file_name varchar(512),
        retry_count int NOT NULL DEFAULT 0,
        auto_retry_count int NOT NULL DEFAULT 0,
        max_retries int NOT NULL DEFAULT 0 CHECK (max_retries >= 0),
        priority int NOT NULL DEFAULT 0,
        payload jsonb,
        not_before timestamptz,
        not_after timestamptz,
        cancel_requested boolean NOT NULL DEFAULT false,
        attempt int NOT NULL DEFAULT 0,
        job_gen int,
        worker_id varchar(128),
        recoveries int NOT NULL DEFAULT 0,
        heartbeat_at timestamptz,
        fire_key varchar(256),
        idempotency_key varchar(256),
        trace_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        deleted_at timestamptz
      ) WITH (fillfactor = 80)`);
    // Keyset pagination of the list page, for admins (all) and for a creator (own tasks).
    await q.query(`CREATE INDEX tasks_list_idx ON tasks (created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_creator_list_idx ON tasks (creator_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_status_list_idx ON tasks (status, created_at DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_type_list_idx ON tasks (type, created_at DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_schedule_idx ON tasks (cron_schedule_id, created_at DESC) WHERE cron_schedule_id IS NOT NULL AND deleted_at IS NULL`);
    // Search over payload text and type.
    await q.query(`CREATE INDEX tasks_search_idx ON tasks USING gin ((type || ' ' || coalesce(payload::text, '')) public.gin_trgm_ops) WHERE deleted_at IS NULL`);
    // Reconciler (pending rows whose job may be missing, expiry) and reaper (stale heartbeats).
    await q.query(`CREATE INDEX tasks_pending_idx ON tasks (updated_at, id) WHERE status = 'pending' AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX tasks_pending_expiry_idx ON tasks (not_after) WHERE status = 'pending' AND not_after IS NOT NULL`);
    await q.query(`CREATE INDEX tasks_running_idx ON tasks (heartbeat_at) WHERE status = 'running'`);
    // Retention clean-up of finished tasks.
    await q.query(`CREATE INDEX tasks_finished_idx ON tasks (finished_at) WHERE finished_at IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX tasks_idempotency_uq ON tasks (creator_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX tasks_fire_key_uq ON tasks (fire_key) WHERE fire_key IS NOT NULL`);

    await q.query(`
      CREATE TABLE task_logs (
        id bigserial PRIMARY KEY,
        task_id uuid NOT NULL,
        level varchar(8) NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_logs_task_idx ON task_logs (task_id, id)`);
    await q.query(`CREATE INDEX task_logs_created_idx ON task_logs (created_at)`);

    await q.query(`
      CREATE TABLE files (
        key varchar(128) PRIMARY KEY,
        name varchar(512) NOT NULL,
        content_type varchar(255) NOT NULL,
        size bigint NOT NULL DEFAULT 0,
        task_id uuid,
        creator_id varchar(64) NOT NULL,
        complete boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX files_task_idx ON files (task_id)`);
    await q.query(`
      CREATE TABLE file_chunks (
        file_key varchar(128) NOT NULL REFERENCES files (key) ON DELETE CASCADE,
        seq int NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (file_key, seq)
      )`);

    await q.query(`
      CREATE TABLE task_settings (
        key varchar(128) PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE scheduled_jobs (
        id varchar(128) PRIMARY KEY,
        enabled boolean NOT NULL DEFAULT true,
        last_run timestamptz,
        next_run timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE roles (
        id varchar(64) PRIMARY KEY,
        name varchar(128) NOT NULL,
        description text NOT NULL DEFAULT '',
        permissions text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username varchar(64) NOT NULL,
        password_hash varchar(256) NOT NULL,
        email varchar(255),
        full_name varchar(255),
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_uq ON users (lower(username))`);
    await q.query(`CREATE INDEX users_created_idx ON users (created_at, id)`);
    await q.query(`
      CREATE TABLE user_roles (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role_id varchar(64) NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, role_id)
      )`);

    const task = ['task:list', 'task:view', 'task:cancel', 'task:retry', 'task:delete'];
    const roles: [string, string, string, string[]][] = [
      ['admin', 'Administrator', 'Everything, across all users', [
        ...task, 'task:schedule:list', 'task:schedule:update', 'system:settings:view', 'system:settings:update',
        'authorization:user:list', 'authorization:user:create', 'authorization:user:export',
      ]],
      ['operator', 'Operator', 'All task actions across users, schedules, settings view', [
        ...task, 'task:schedule:list', 'task:schedule:update', 'system:settings:view',
      ]],
      ['viewer', 'Viewer', 'Lists and inspects every task', ['task:list', 'task:view']],
      ['user', 'User', 'Own tasks only', []],
    ];
    for (const [id, name, description, permissions] of roles) {
      await q.query(`INSERT INTO roles (id, name, description, permissions) VALUES ($1, $2, $3, $4)`, [id, name, description, permissions]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['user_roles', 'users', 'roles', 'scheduled_jobs', 'task_settings', 'file_chunks', 'files', 'task_logs', 'tasks']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
