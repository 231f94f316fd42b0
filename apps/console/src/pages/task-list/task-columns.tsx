import type { TaskCategory, TaskDto, TaskStatus } from '@taskyard/contracts';
import type { TableProps } from 'antd';
import { Link } from 'react-router-dom';
import type { PermissionChecks } from '../../auth/permissions';
import type { TaskActionHandlers } from '../../components/task-action-buttons';
import type { TaskActionKind } from '../../hooks/use-task-actions';
import { creatorLabel, formatDateTime, formatDuration, formatRelative, shortId } from '../../lib/format';
import { sortOrderOf } from './task-list-query';
import { RowActions, RowProgress, RowStatus } from './task-row-cells';

interface ColumnOptions {
  sort: string | undefined;
  perms: PermissionChecks;
  actions: TaskActionHandlers;
  busy: Record<string, TaskActionKind | undefined>;
  /** Phone width: key columns only, nothing pinned. */
  narrow: boolean;
}

/*
 * Cells stay plain elements with `title` attributes: a Tooltip or a measured ellipsis per
 * cell cost most of the ~1 s a 100-row page took to render.
 */
export function taskColumns({ sort, perms, actions, busy, narrow }: ColumnOptions): TableProps<TaskDto>['columns'] {
  const idColumn = {
    title: 'ID',
    dataIndex: 'id',
    width: 90,
    render: (id: string) => (
      <Link to={`/tasks/${id}`} className="ty-mono" title={id} data-testid="task-row-link">
        {shortId(id)}
      </Link>
    ),
  };
  const typeColumn = {
    title: 'Type',
    dataIndex: 'type',
    render: (type: string, task: TaskDto) => (
      <div className="ty-cell-stack">
        {narrow && (
          <Link to={`/tasks/${task.id}`} className="ty-mono" title={task.id} data-testid="task-row-link">
            {shortId(task.id)}
          </Link>
        )}
        <strong className="ty-ellipsis" title={type} data-testid="task-row-type">
          {type}
        </strong>
        {task.cron_schedule_id && <span className="ty-cell-note ty-ellipsis">schedule: {task.cron_schedule_id}</span>}
      </div>
    ),
  };
  const statusColumn = { title: 'Status', dataIndex: 'status', width: 120, render: (_: TaskStatus, task: TaskDto) => <RowStatus task={task} /> };
  const progressColumn = {
    title: 'Progress',
    key: 'progress',
    width: narrow ? 140 : 160,
    render: (_: unknown, task: TaskDto) => {
      const note = task.error ?? task.progress_message;
      return (
        <div className="ty-progress-cell">
          <RowProgress task={task} />
          {note && (
            <span className={`ty-cell-note ty-ellipsis${task.error ? ' ty-cell-error' : ''}`} title={note}>
              {note}
            </span>
          )}
        </div>
      );
    },
  };
  const actionsColumn = {
    title: 'Actions',
    key: 'actions',
    width: narrow ? 150 : 210,
    render: (_: unknown, task: TaskDto) => <RowActions task={task} perms={perms} actions={actions} busy={busy[task.id]} />,
  };
  if (narrow) return [typeColumn, statusColumn, progressColumn, actionsColumn];

  return [
    idColumn,
    { ...typeColumn, width: 140 },
    statusColumn,
    progressColumn,
    {
      title: 'Category',
      dataIndex: 'category',
      width: 90,
      responsive: ['xxl'],
      render: (category: TaskCategory) => <span className={`ty-status ty-category-${category}`}>{category}</span>,
    },
    {
      title: 'Creator',
      dataIndex: 'creator_id',
      width: 100,
      render: (creator: string, task: TaskDto) => (
        <span className="ty-ellipsis" title={creator} data-testid="task-row-creator">
          {creator === perms.userId ? 'me' : creatorLabel(task)}
        </span>
      ),
    },
    {
      title: 'Created',
      dataIndex: 'created_at',
      width: 120,
      sorter: true,
      sortOrder: sortOrderOf(sort, 'created_at'),
      render: (value: string) => (
        <span className="ty-nowrap" title={formatDateTime(value)}>
          {formatRelative(value)}
        </span>
      ),
    },
    {
      title: 'Duration',
      key: 'duration',
      width: 80,
      render: (_: unknown, task: TaskDto) => (task.started_at ? formatDuration(task.started_at, task.finished_at) : '—'),
    },
    {
      title: 'Retries',
      key: 'retries',
      width: 70,
      render: (_: unknown, task: TaskDto) => (
        <span title={`Manual retries: ${task.retry_count} · automatic: ${task.auto_retry_count} of ${task.max_retries}`}>
          {task.retry_count} / {task.auto_retry_count}
        </span>
      ),
    },
    actionsColumn,
  ];
}
