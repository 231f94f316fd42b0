import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { likePattern } from '@taskyard/auth';
import { TaskRunnerFor, type TaskRunContext, type TaskRunner } from '@taskyard/tasks';
import { csvLine } from '../csv';
import { USER_EXPORT_TYPE, type UserExportPayload, type UserExportResult } from './user-export.types';

const PAGE_SIZE = 500;

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  status: string;
  roles: string | null;
  created_at: Date;
}

/**
 * Exports users matching the payload's filters to a CSV artifact. The pattern to copy: page
 * through the source with keyset pagination (never OFFSET), stream rows into `saveArtifact`,
 * report progress per page, log, and stop at the next page once `ctx.signal` fires.
 */
@Injectable()
@TaskRunnerFor(USER_EXPORT_TYPE, { maxRetries: 1 })
export class UserExportRunner implements TaskRunner<UserExportPayload, UserExportResult> {
  constructor(private readonly dataSource: DataSource) {}

  async run(ctx: TaskRunContext<UserExportPayload>): Promise<UserExportResult> {
    const { keywords, status } = ctx.task.payload;
    const filters: string[] = [];
    const params: unknown[] = [];
    if (keywords) {
      params.push(likePattern(keywords));
      filters.push(`(u.username ILIKE $${params.length} OR u.email ILIKE $${params.length} OR u.full_name ILIKE $${params.length})`);
    }
    if (status) {
      params.push(status);
      filters.push(`u.status = $${params.length}`);
    }
    const where = filters.length ? filters.join(' AND ') : 'true';
    const [{ total }] = await this.dataSource.query<{ total: string }[]>(`SELECT count(*) AS total FROM users u WHERE ${where}`, params);
    ctx.logger.info(`exporting ${total} users`);

    let rows = 0;
    const pages = async function* (this: UserExportRunner): AsyncGenerator<Buffer> {
      yield Buffer.from(csvLine(['id', 'username', 'email', 'full_name', 'status', 'roles', 'created_at']));
      let cursor: { createdAt: Date; id: string } | null = null;
      for (;;) {
        ctx.throwIfCancelled();
        const keyset: string = cursor ? `AND (u.created_at, u.id) > ($${params.length + 1}, $${params.length + 2})` : '';
        const page: UserRow[] = await this.dataSource.query(
          `SELECT u.id, u.username, u.email, u.full_name, u.status, u.created_at,
                  (SELECT string_agg(ur.role_id, ' ' ORDER BY ur.role_id) FROM user_roles ur WHERE ur.user_id = u.id) AS roles
             FROM users u WHERE ${where} ${keyset} ORDER BY u.created_at, u.id LIMIT ${PAGE_SIZE}`,
          cursor ? [...params, cursor.createdAt, cursor.id] : params,
        );
        if (page.length === 0) return;
        yield Buffer.from(page.map((u) => csvLine([u.id, u.username, u.email, u.full_name, u.status, u.roles, u.created_at.toISOString()])).join(''));
        rows += page.length;
        const last = page[page.length - 1];
        cursor = { createdAt: last.created_at, id: last.id };
        ctx.progress(Math.min(99, Math.floor((rows / Math.max(1, Number(total))) * 100)), `${rows}/${total} users`);
        if (page.length < PAGE_SIZE) return;
      }
    }.call(this);

    const file = await ctx.saveArtifact(pages, { fileName: `users-${new Date().toISOString().slice(0, 10)}.csv`, contentType: 'text/csv; charset=utf-8' });
    ctx.logger.info(`wrote ${rows} users (${file.size} bytes)`);
    ctx.progress(100, `${rows} users exported`);
    return { rows };
  }
}
