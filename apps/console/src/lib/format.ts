import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import type { JsonValue } from '@taskyard/contracts';

dayjs.extend(relativeTime);

export const DATE_TIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = dayjs(value);
  return d.isValid() ? d.format(DATE_TIME_FORMAT) : value;
}

export function formatRelative(value: string | null | undefined): string {
  if (!value) return '—';
  const d = dayjs(value);
  return d.isValid() ? d.fromNow() : value;
}

/** Human duration between two instants, e.g. `1m 12s`; open-ended while `to` is null. */
export function formatDuration(from: string | null | undefined, to: string | null | undefined): string {
  if (!from) return '—';
  const start = dayjs(from);
  const end = to ? dayjs(to) : dayjs();
  if (!start.isValid() || !end.isValid()) return '—';
  let seconds = Math.max(0, Math.round(end.diff(start) / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

export function formatJson(value: JsonValue | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/** Who created a task, for people: the username, `system`, or the short id of an unknown user. */
export function creatorLabel(task: { creator_id: string; creator_name?: string | null }): string {
  if (task.creator_name) return task.creator_name;
  return task.creator_id === 'system' ? 'system' : shortId(task.creator_id);
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** `task_max_concurrent` -> `Max concurrent`. */
export function humanizeKey(key: string): string {
  const words = key.replace(/^task_/, '').split('_').filter(Boolean).join(' ');
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : key;
}
