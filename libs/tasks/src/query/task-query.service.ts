import type { TaskCategory, TaskStatus } from '@taskyard/contracts';
import type { Db } from '../state/db';
import { mapTaskRow, TASK_COLUMNS, type TaskRecord } from '../state/task-record';
import { SEARCH_DOC } from '../state/task-state-machine';

/** Sortable columns of the task list; `-` prefix means descending. */
export const TASK_SORT_FIELDS = ['created_at', 'updated_at', 'started_at', 'finished_at', 'priority', 'progress'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
/** Sort fields that may be null (sorted last in both directions). */
const NULLABLE_SORT_FIELDS: ReadonlySet<TaskSortField> = new Set(['started_at', 'finished_at']);
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
  /**
   * Matching tasks, counted exactly up to {@link TOTAL_LOOKAHEAD} rows past the requested page;
   * beyond that it is that bound (`offset + pageSize + TOTAL_LOOKAHEAD`) and `totalCapped` is
   * true: the total is then a lower bound that grows as the caller pages on.
   */
  total: number;
  totalCapped: boolean;
}

/**
 * How far past the requested page `total` is counted exactly. An exact count over a million
 * matching rows costs hundreds of milliseconds; a list page never needs more than "at least
 * 10,000 more".
 */
export const TOTAL_LOOKAHEAD = 10_000;
/**
 * The same for a search: each counted match is an evaluation of the search text, so a broad
 * search counts exactly only this far past the page.
 */
export const SEARCH_TOTAL_LOOKAHEAD = 200;
/**
 * A search first walks this many rows in the list's order (through the list index of the
 * other filters) and tests each; if that fills the page, the page is served from them. Only
 * otherwise (a rare match) does it go to the trigram index, whose every candidate costs a
 * heap visit and which the planner cannot size (it assumes ~100 matches for any ILIKE).
 */
export const SEARCH_WINDOW = 2_000;
/**
 * A search the window could not serve reads its matches once through the trigram index; when
 * there are at most this many, page and total both come from them (one index scan, not two).
 */
export const SEARCH_FEW_MATCHES = 2_000;

const UUID_TEMPLATE = '00000000-0000-0000-0000-000000000000';

/**
 * The primary-key range of the ids that start with `search` (at least the 8 hex digits the
 * console shows, dashes where a uuid has them), or null when it is no such prefix.
 */
export function idPrefixRange(search: string): { from: string; to: string } | null {
  const prefix = search.toLowerCase();
  if (prefix.length < 8 || prefix.length > UUID_TEMPLATE.length) return null;
  for (let i = 0; i < prefix.length; i++) {
    const ok = UUID_TEMPLATE[i] === '-' ? prefix[i] === '-' : /[0-9a-f]/.test(prefix[i]);
    if (!ok) return null;
  }
  const rest = UUID_TEMPLATE.slice(prefix.length);
  return { from: prefix + rest, to: prefix + rest.replace(/0/g, 'f') };
}

/**
 * Read side of tasks for lists: filters, search and offset pagination over partial list
 * indexes in the list's order: `tasks_list_idx`, `tasks_creator_list_idx`,
 * `tasks_schedule_idx` (InitialSchema), `tasks_type_list2_idx` (ListIndexes),
 * `tasks_status_list3_idx` and `tasks_finished_list_idx` (ListIndexes2), plus the trigram
 * index of `task_search` (SearchTable) for rare search matches. Deleted tasks never appear.
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
    const baseClause = where.join(' AND ');
    const search = q.search?.trim();
    // A full id or the 8-character prefix the console shows: a primary-key range.
    const idRange = search ? idPrefixRange(search) : null;
    /** The search as a test of each row's own columns (the window; a plain user's rows). */
    let searchCond: string | undefined;
    if (search) {
      const like = p(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      const bounds = idRange ? `BETWEEN ${p(idRange.from)}::uuid AND ${p(idRange.to)}::uuid` : undefined;
      const range = (column: string) => (bounds ? `${column} ${bounds} OR ` : '');
      searchCond = `(${range('id')}${SEARCH_DOC} ILIKE ${like})`;
      // A caller restricted to their own tasks searches a few thousand rows at most, through
      // the creator index; everyone else's rare matches come from the trigram index, an id
      // (prefix) from the primary key of the same table: one bitmap OR, and one semi-join
      // whatever the statistics say (a UNION of two sources let stale statistics pick a
      // nested loop that re-scanned task_search once per task).
      where.push(q.onlyCreatorId !== undefined ? searchCond : `id IN (SELECT task_id FROM task_search WHERE ${range('task_id')}doc ILIKE ${like})`);
    }
    const clause = where.join(' AND ');
    const sort = q.sort ?? '-created_at';
    const field = sort.replace(/^-/, '') as TaskSortField;
    if (!TASK_SORT_FIELDS.includes(field)) throw new Error(`unsupported sort: ${sort}`);
    const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
    // NULLS LAST only where the column can be null: on a NOT NULL column it would still stop
    // the planner from reading the list indexes in order (a full sort of every match instead).
    const nulls = NULLABLE_SORT_FIELDS.has(field) ? ' NULLS LAST' : '';
    const order = (t: string) => `${t}${field} ${dir}${nulls}${field === 'created_at' ? '' : `, ${t}created_at ${dir}`}, ${t}id ${dir}`;
    const offset = (q.page - 1) * q.pageSize;
    const countCap = offset + q.pageSize + (searchCond ? SEARCH_TOTAL_LOOKAHEAD : TOTAL_LOOKAHEAD);
    if (searchCond && q.onlyCreatorId === undefined) {
      // (A task id or id prefix is found through the primary key at once: no window for it.)
      const found =
        (idRange === null && offset + q.pageSize <= SEARCH_WINDOW ? await this.searchWindow(baseClause, searchCond, clause, order(''), [...params], offset, q.pageSize, countCap) : null) ??
        (await this.fewMatches(clause, field, order(''), [...params], offset, q.pageSize, countCap));
      if (found) return found;
    }
    // Deferred join: the page's ids come from the (covering) list index alone, so skipping
    // `offset` rows never touches the heap; only the page's rows are then read in full. The
    // capped count is the same statement's one-row left side, so an empty page still carries
    // the total: one round trip and one pooled connection per list.
    const rows = await this.db.rows(
      `SELECT c.list_total, p.*
         FROM (SELECT count(*) AS list_total FROM (SELECT 1 FROM tasks WHERE ${clause} LIMIT ${p(countCap)}) capped) c
         LEFT JOIN (SELECT ${TASK_COLUMNS.replace(/\b(\w+)\b/g, 't.$1')}
                      FROM (SELECT id FROM tasks WHERE ${clause} ORDER BY ${order('')} LIMIT ${p(q.pageSize)} OFFSET ${p(offset)}) page
                      JOIN tasks t ON t.id = page.id) p ON true
        ORDER BY ${order('p.')}`,
      params,
    );
    const total = Number(rows[0].list_total);
    return { items: rows.filter((r) => r.id !== null).map(mapTaskRow), total, totalCapped: total >= countCap };
  }

  /** Counts matches, stopping at `cap` (`TOTAL_LOOKAHEAD` or `SEARCH_TOTAL_LOOKAHEAD` past the page). */
  private async cappedCount(clause: string, params: unknown[], cap: number): Promise<Omit<TaskPage, 'items'>> {
    const [{ total }] = await this.db.rows<{ total: string }>(
      `SELECT count(*) AS total FROM (SELECT 1 FROM tasks WHERE ${clause} LIMIT $${params.length + 1}) capped`,
      [...params, cap],
    );
    const counted = Number(total);
    return { total: counted, totalCapped: counted >= cap };
  }

  /**
   * Serves a search from the first {@link SEARCH_WINDOW} rows in list order when they hold the
   * page; the total then comes from the window too when it is conclusive (the window held
   * every candidate, or enough matches to reach the count cap), else from a capped count
   * through the trigram index (`indexedClause`).
   * Returns null when the window does not hold the page (the caller uses the trigram index).
   */
  private async searchWindow(
    baseClause: string,
    searchCond: string,
    indexedClause: string,
    order: string,
    params: unknown[],
    offset: number,
    pageSize: number,
    countCap: number,
  ): Promise<TaskPage | null> {
    const [w] = await this.db.rows<{ scanned: number; hits: number; ids: string[] }>(
      `SELECT count(*)::int AS scanned, (count(*) FILTER (WHERE hit))::int AS hits,
              coalesce(array_agg(id ORDER BY n) FILTER (WHERE hit), '{}') AS ids
         FROM (SELECT id, ${searchCond} AS hit, row_number() OVER (ORDER BY ${order}) AS n
                 FROM tasks WHERE ${baseClause} ORDER BY ${order} LIMIT ${SEARCH_WINDOW}) w`,
      params,
    );
    const exhaustive = w.scanned < SEARCH_WINDOW;
    if (!exhaustive && w.hits < offset + pageSize) return null;
    const items = await this.inOrder(w.ids.slice(offset, offset + pageSize));
    if (exhaustive) return { items, total: w.hits, totalCapped: false };
    if (w.hits >= countCap) return { items, total: countCap, totalCapped: true };
    return { items, ...(await this.cappedCount(indexedClause, params, countCap)) };
  }

  /**
   * Serves a search from all its matches when there are few (at most
   * {@link SEARCH_FEW_MATCHES}): one read through the trigram index gives the page and the
   * total. Returns null when there are more.
   */
  private async fewMatches(clause: string, field: TaskSortField, order: string, params: unknown[], offset: number, pageSize: number, countCap: number): Promise<TaskPage | null> {
    const sortColumns = field === 'created_at' ? 'created_at' : `${field}, created_at`;
    const [m] = await this.db.rows<{ n: number; ids: string[] }>(
      `SELECT count(*)::int AS n, coalesce(array_agg(id ORDER BY ${order}), '{}') AS ids
         FROM (SELECT id, ${sortColumns} FROM tasks WHERE ${clause} LIMIT ${SEARCH_FEW_MATCHES + 1}) m`,
      params,
    );
    if (m.n > SEARCH_FEW_MATCHES) return null;
    const items = await this.inOrder(m.ids.slice(offset, offset + pageSize));
    return m.n >= countCap ? { items, total: countCap, totalCapped: true } : { items, total: m.n, totalCapped: false };
  }

  /** The tasks with these ids, in this order (a row deleted meanwhile is left out). */
  private async inOrder(ids: string[]): Promise<TaskRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.rows(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id as string, mapTaskRow(r)]));
    return ids.map((id) => byId.get(id)).filter((t): t is TaskRecord => t !== undefined);
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
