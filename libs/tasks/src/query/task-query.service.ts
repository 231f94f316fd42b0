import type { TaskCategory, TaskStatus } from '@taskyard/contracts';
import type { Db } from '../state/db';
import { mapTaskRow, TASK_COLUMNS, type TaskRecord } from '../state/task-record';

/** Sortable columns of the task list; `-` prefix means descending. */
export const TASK_SORT_FIELDS = ['created_at', 'updated_at', 'started_at', 'finished_at', 'priority', 'progress'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
export type TaskSort = TaskSortField | `-${TaskSortField}`;

/** Filters of `GET /api/tasks` (and a schedule's history). */
export interface TaskListQuery {
  /** 1-based page. */
  page: number;
  pageSize: number;
  /** A task id, a type, or text inside the payload. */
  search?: string;
  status?: TaskStatus;
  type?: string;
  category?: TaskCategory;
  creatorId?: string;
  cronScheduleId?: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** Default `-created_at`. */
  sort?: TaskSort;
  /**
   * Visibility: when set, only tasks created by this user are returned (callers without the
   * global list permission). Undefined means every task.
   */
  onlyCreatorId?: string;
}

export interface TaskPage {
  items: TaskRecord[];
  total: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The expression the trigram index `tasks_search_idx` is built on; must stay identical. */
const SEARCH_EXPR = `(type || ' ' || coalesce(payload::text, ''))`;

/**
 * Read side of tasks for lists: filters, search and offset pagination over the partial
 * indexes of the initial migration (`tasks_list_idx`, `tasks_creator_list_idx`,
 * `tasks_status_list_idx`, `tasks_type_list_idx`, `tasks_schedule_idx`, `tasks_search_idx`).
 * Deleted tasks never appear.
 */
export class TaskQueryService {
  constructor(private readonly db: Db) {}

  async list(q: TaskListQuery): Promise<TaskPage> {
    const params: unknown[] = [];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['deleted_at IS NULL'];
    if (q.onlyCreatorId !== undefined) where.push(`creator_id = ${p(q.onlyCreatorId)}`);
    if (q.creatorId !== undefined) where.push(`creator_id = ${p(q.creatorId)}`);
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.type) where.push(`type = ${p(q.type)}`);
    if (q.category) where.push(`category = ${p(q.category)}`);
    if (q.cronScheduleId !== undefined) where.push(`cron_schedule_id = ${p(q.cronScheduleId)}`);
    if (q.createdFrom) where.push(`created_at >= ${p(q.createdFrom)}`);
    if (q.createdTo) where.push(`created_at <= ${p(q.createdTo)}`);
    const search = q.search?.trim();
    if (search) {
      const like = p(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(UUID.test(search) ? `(id = ${p(search.toLowerCase())} OR ${SEARCH_EXPR} ILIKE ${like})` : `${SEARCH_EXPR} ILIKE ${like}`);
    }
    const clause = where.join(' AND ');
    const sort = q.sort ?? '-created_at';
    const field = sort.replace(/^-/, '') as TaskSortField;
    if (!TASK_SORT_FIELDS.includes(field)) throw new Error(`unsupported sort: ${sort}`);
    const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
    const order = `${field} ${dir} NULLS LAST${field === 'created_at' ? '' : `, created_at ${dir}`}, id ${dir}`;
    const countParams = [...params];
    const rows = await this.db.rows(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE ${clause} ORDER BY ${order} LIMIT ${p(q.pageSize)} OFFSET ${p((q.page - 1) * q.pageSize)}`,
      params,
    );
    const [{ total }] = await this.db.rows<{ total: string }>(`SELECT count(*) AS total FROM tasks WHERE ${clause}`, countParams);
    return { items: rows.map(mapTaskRow), total: Number(total) };
  }

  /**
   * The header dropdown: up to `limit` of a user's `user`-category tasks created in the last
   * `recentMs` or still pending/running, newest first.
   */
  async recentUserTasks(userId: string, limit = 10, recentMs = 24 * 3600_000): Promise<TaskRecord[]> {
    const rows = await this.db.rows(
      `SELECT ${TASK_COLUMNS} FROM tasks
        WHERE creator_id = $1 AND deleted_at IS NULL AND category = 'user'
          AND (created_at > now() - make_interval(secs => $2) OR status IN ('pending', 'running'))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [userId, recentMs / 1000, limit],
    );
    return rows.map(mapTaskRow);
  }
}
