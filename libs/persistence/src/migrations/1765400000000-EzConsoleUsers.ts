import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Built-in role names before this migration, by role id. */
const OLD_NAMES: Record<string, string> = { admin: 'Administrator', operator: 'Operator', viewer: 'Viewer', user: 'User' };

/**
 * What EZ-Console's login and profile carry: built-in roles are named as their ids (its
 * console recognises the administrator by the role name `admin`), roles have timestamps and a
 * type, users a last login and a password change time.
 */
export class EzConsoleUsers1765400000000 implements MigrationInterface {
  name = 'EzConsoleUsers1765400000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, old] of Object.entries(OLD_NAMES)) {
      await q.query(`UPDATE roles SET name = $1 WHERE id = $1 AND name = $2`, [id, old]);
    }
    await q.query(`ALTER TABLE roles
      ADD COLUMN role_type varchar(16) NOT NULL DEFAULT 'system',
      ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE users
      ADD COLUMN last_login timestamptz,
      ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`UPDATE users SET password_changed_at = created_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN password_changed_at, DROP COLUMN last_login`);
    await q.query(`ALTER TABLE roles DROP COLUMN updated_at, DROP COLUMN created_at, DROP COLUMN role_type`);
    for (const [id, old] of Object.entries(OLD_NAMES)) {
      await q.query(`UPDATE roles SET name = $2 WHERE id = $1 AND name = $1`, [id, old]);
    }
  }
}
