import { TASK_CATEGORIES, TASK_STATUSES, type TaskCategory, type TaskStatus } from '@taskyard/contracts';
import type { TaskListQuery } from '../../api/types';

export const DEFAULT_PAGE_SIZE = 20;
export const DEFAULT_SORT = '-created_at';
export const SORTABLE = ['created_at', 'updated_at', 'started_at', 'finished_at'] as const;
export type SortField = (typeof SORTABLE)[number];

/**
 * What an admin sees by default: user work. The every-minute heartbeat and other system
 * tasks stay one switch away (`category=all` in the address shows everything).
 */
export const DEFAULT_CATEGORY_FOR_ADMINS: TaskCategory = 'user';
export const ALL_CATEGORIES = 'all';

function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

export function oneOf<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** The list's query from the address; `seesAll`: the caller lists every user's tasks. */
export function readQuery(params: URLSearchParams, seesAll: boolean): TaskListQuery {
  const category = params.get('category');
  return {
    current: positiveInt(params.get('current'), 1),
    page_size: positiveInt(params.get('page_size'), DEFAULT_PAGE_SIZE, 100),
    search: params.get('search') || undefined,
    status: oneOf<TaskStatus>(params.get('status'), TASK_STATUSES),
    type: params.get('type') || undefined,
    category:
      category === ALL_CATEGORIES ? undefined : (oneOf<TaskCategory>(category, TASK_CATEGORIES) ?? (seesAll ? DEFAULT_CATEGORY_FOR_ADMINS : undefined)),
    creator_id: params.get('creator_id') || undefined,
    created_from: params.get('created_from') || undefined,
    created_to: params.get('created_to') || undefined,
    sort: params.get('sort') || DEFAULT_SORT,
  };
}

/** The address of a query: defaults are left out. */
export function toParams(query: TaskListQuery, seesAll: boolean): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'current' && value === 1) continue;
    if (key === 'page_size' && value === DEFAULT_PAGE_SIZE) continue;
    if (key === 'sort' && value === DEFAULT_SORT) continue;
    if (key === 'category' && seesAll && value === DEFAULT_CATEGORY_FOR_ADMINS) continue;
    params.set(key, String(value));
  }
  if (seesAll && query.category === undefined) params.set('category', ALL_CATEGORIES);
  return params;
}

export function sortOrderOf(sort: string | undefined, field: SortField): 'ascend' | 'descend' | null {
  if (sort === field) return 'ascend';
  if (sort === `-${field}`) return 'descend';
  return null;
}

/**
 * The sort after a click on a column header. antd cycles ascend, descend, none; "none" would
 * fall back to the default (`-created_at`), so a sorted column simply flips instead.
 */
export function nextSort(current: string | undefined, field: SortField, order: 'ascend' | 'descend' | null | undefined): string {
  if (order) return `${order === 'descend' ? '-' : ''}${field}`;
  const shown = sortOrderOf(current, field);
  return shown === 'ascend' ? `-${field}` : field;
}
