import { DeleteOutlined, RedoOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import {
  Permission,
  TASK_CATEGORIES,
  TASK_STATUSES,
  type TaskCategory,
  type TaskDto,
  type TaskEvent,
  type TaskStatus,
} from '@taskyard/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { describeError } from '../api/client';
import { tasksApi, type BulkAction } from '../api/endpoints';
import type { TaskListQuery } from '../api/types';
import { usePermissions } from '../auth/permissions';
import { BulkResultModal, type BulkOutcome } from '../components/bulk-result-modal';
import { PageHeader } from '../components/page-header';
import { TaskActionButtons } from '../components/task-action-buttons';
import { TaskProgress } from '../components/task-progress';
import { statusLabel, TaskStatusTag } from '../components/task-status-tag';
import { useTaskActions } from '../hooks/use-task-actions';
import { useTaskEvents } from '../hooks/use-task-events';
import { formatDateTime, formatDuration, formatRelative, shortId } from '../lib/format';
import { applyTaskEvent, isActive, mergeFetchedTasks } from '../lib/task-events';
import { testAttrs } from '../lib/test-attrs';

const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_SORT = '-created_at';
const SORTABLE = ['created_at', 'updated_at', 'started_at', 'finished_at'] as const;
type SortField = (typeof SORTABLE)[number];

function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

function readQuery(params: URLSearchParams): TaskListQuery {
  return {
    current: positiveInt(params.get('current'), 1),
    page_size: positiveInt(params.get('page_size'), DEFAULT_PAGE_SIZE, 100),
    search: params.get('search') || undefined,
    status: oneOf<TaskStatus>(params.get('status'), TASK_STATUSES),
    type: params.get('type') || undefined,
    category: oneOf<TaskCategory>(params.get('category'), TASK_CATEGORIES),
    creator_id: params.get('creator_id') || undefined,
    created_from: params.get('created_from') || undefined,
    created_to: params.get('created_to') || undefined,
    sort: params.get('sort') || DEFAULT_SORT,
  };
}

function toParams(query: TaskListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'current' && value === 1) continue;
    if (key === 'page_size' && value === DEFAULT_PAGE_SIZE) continue;
    if (key === 'sort' && value === DEFAULT_SORT) continue;
    params.set(key, String(value));
  }
  return params;
}

function sortOrderOf(sort: string | undefined, field: SortField): 'ascend' | 'descend' | null {
  if (sort === field) return 'ascend';
  if (sort === `-${field}`) return 'descend';
  return null;
}

function TypeFilter({ value, onApply }: { value: string | undefined; onApply: (value: string | undefined) => void }) {
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const apply = () => {
    const next = draft.trim() || undefined;
    if (next !== value) onApply(next);
  };
  return (
    <Input
      placeholder="Type, e.g. user_export"
      allowClear
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        if (!e.target.value && value) onApply(undefined);
      }}
      onPressEnter={apply}
      onBlur={apply}
      style={{ width: 190 }}
      aria-label="Filter by type"
      data-testid="task-filter-type"
    />
  );
}

export function TaskListPage() {
  const { message } = App.useApp();
  const perms = usePermissions();
  const [searchParams, setSearchParams] = useSearchParams();
  const queryKey = searchParams.toString();
  const query = useMemo(() => readQuery(new URLSearchParams(queryKey)), [queryKey]);

  const [tasks, setTasks] = useState<TaskDto[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkBusy, setBulkBusy] = useState<BulkAction | null>(null);
  const [bulkOutcome, setBulkOutcome] = useState<BulkOutcome | null>(null);
  const [newTasksHint, setNewTasksHint] = useState(false);
  const [searchDraft, setSearchDraft] = useState(query.search ?? '');
  useEffect(() => setSearchDraft(query.search ?? ''), [query.search]);

  const requestSeq = useRef(0);
  const load = useCallback(
    async (silent: boolean) => {
      const seq = ++requestSeq.current;
      if (!silent) setLoading(true);
      try {
        const page = await tasksApi.list(query);
        if (seq !== requestSeq.current) return;
        setTasks((shown) => mergeFetchedTasks(shown, page.items));
        setTotal(page.total);
        setError(null);
        setNewTasksHint(false);
      } catch (err) {
        if (seq !== requestSeq.current) return;
        setError(err);
        if (!silent) setTasks([]);
      } finally {
        if (seq === requestSeq.current) setLoading(false);
      }
    },
    [query],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleReload = useCallback(() => {
    if (reloadTimer.current) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void load(true);
    }, 500);
  }, [load]);
  useEffect(
    () => () => {
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    },
    [],
  );

  const visibleIds = useMemo(() => new Set(tasks.map((t) => t.id)), [tasks]);
  const onEvent = useCallback(
    (event: TaskEvent) => {
      if (visibleIds.has(event.task_id)) {
        if (event.type === 'deleted') {
          setTasks((list) => list.filter((t) => t.id !== event.task_id));
          scheduleReload();
          return;
        }
        setTasks((list) => list.map((t) => applyTaskEvent(t, event)));
        if (event.type === 'status') scheduleReload();
      } else if (event.type === 'status' && event.status === 'pending') {
        setNewTasksHint(true);
      }
    },
    [visibleIds, scheduleReload],
  );

  const hasActive = tasks.some(isActive);
  const { live } = useTaskEvents({
    onEvent,
    poll: () => load(true),
    pollIntervalMs: hasActive ? 5_000 : 30_000,
  });

  const update = useCallback(
    (patch: Partial<TaskListQuery>, resetPage = true) => {
      const next: TaskListQuery = { ...query, ...patch };
      if (resetPage && patch.current === undefined) next.current = 1;
      setSearchParams(toParams(next));
    },
    [query, setSearchParams],
  );

  const actions = useTaskActions({
    onChanged: (id, updated) => {
      if (updated) setTasks((list) => list.map((t) => (t.id === id ? updated : t)));
      scheduleReload();
    },
    onDeleted: (id) => {
      setTasks((list) => list.filter((t) => t.id !== id));
      setSelected((keys) => keys.filter((k) => k !== id));
      scheduleReload();
    },
  });

  const runBulk = async (action: BulkAction) => {
    if (selected.length === 0) return;
    setBulkBusy(action);
    try {
      const results = await tasksApi.bulk(action, selected);
      const list = Array.isArray(results) ? results : [];
      setBulkOutcome({ action, results: list });
      const succeeded = new Set(list.filter((r) => r.ok).map((r) => r.id));
      setSelected((keys) => keys.filter((k) => !succeeded.has(k)));
      void load(true);
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBulkBusy(null);
    }
  };

  const dateRange: [Dayjs, Dayjs] | null =
    query.created_from && query.created_to ? [dayjs(query.created_from), dayjs(query.created_to)] : null;

  const filtersActive = Boolean(
    query.search || query.status || query.type || query.category || query.creator_id || query.created_from || query.created_to,
  );

  const columns: TableProps<TaskDto>['columns'] = [
    {
      title: 'ID',
      dataIndex: 'id',
      width: 100,
      render: (id: string) => (
        <Tooltip title={id}>
          <Link to={`/tasks/${id}`} className="ty-mono" data-testid="task-row-link">
            {shortId(id)}
          </Link>
        </Tooltip>
      ),
    },
    {
      title: 'Type',
      dataIndex: 'type',
      width: 180,
      render: (type: string, task) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong data-testid="task-row-type">
            {type}
          </Typography.Text>
          {task.cron_schedule_id && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              schedule: {task.cron_schedule_id}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: 'Status',
      dataIndex: 'status',
      width: 150,
      render: (_: TaskStatus, task) => <TaskStatusTag task={task} />,
    },
    {
      title: 'Progress',
      key: 'progress',
      width: 190,
      render: (_: unknown, task) => (
        <div className="ty-progress-cell">
          <TaskProgress task={task} testId="task-row-progress" />
          {(task.error ?? task.progress_message) && (
            <Typography.Text
              type={task.error ? 'danger' : 'secondary'}
              ellipsis={{ tooltip: task.error ?? task.progress_message }}
              style={{ fontSize: 12, maxWidth: 170 }}
            >
              {task.error ?? task.progress_message}
            </Typography.Text>
          )}
        </div>
      ),
    },
    {
      title: 'Category',
      dataIndex: 'category',
      width: 100,
      responsive: ['xxl'],
      render: (category: TaskCategory) => <Tag color={category === 'system' ? 'purple' : 'blue'}>{category}</Tag>,
    },
    {
      title: 'Creator',
      dataIndex: 'creator_id',
      width: 120,
      responsive: ['xxl'],
      render: (creator: string) => (
        <Tooltip title={creator}>
          <Typography.Text className="ty-mono" style={{ fontSize: 12 }}>
            {creator === perms.userId ? 'me' : shortId(creator)}
          </Typography.Text>
        </Tooltip>
      ),
    },
    {
      title: 'Created',
      dataIndex: 'created_at',
      width: 140,
      sorter: true,
      sortOrder: sortOrderOf(query.sort, 'created_at'),
      render: (value: string) => <Tooltip title={formatDateTime(value)}>{formatRelative(value)}</Tooltip>,
    },
    {
      title: 'Duration',
      key: 'duration',
      width: 100,
      responsive: ['xxl'],
      render: (_: unknown, task) => (task.started_at ? formatDuration(task.started_at, task.finished_at) : '—'),
    },
    {
      title: 'Retries',
      key: 'retries',
      width: 90,
      responsive: ['xxl'],
      render: (_: unknown, task) => (
        <Tooltip title={`Manual retries: ${task.retry_count} · automatic: ${task.auto_retry_count} of ${task.max_retries}`}>
          {task.retry_count} / {task.auto_retry_count}
        </Tooltip>
      ),
    },
    {
      title: 'Actions',
      key: 'actions',
      fixed: 'right',
      width: 280,
      render: (_: unknown, task) => (
        <TaskActionButtons task={task} actions={actions} busy={actions.busy[task.id]} variant="table" />
      ),
    },
  ];

  const onTableChange: TableProps<TaskDto>['onChange'] = (pagination, _filters, sorter, extra) => {
    if (extra.action === 'sort') {
      const s = Array.isArray(sorter) ? sorter[0] : sorter;
      const field = s?.field;
      const order = s?.order;
      const sortField = typeof field === 'string' ? oneOf<SortField>(field, SORTABLE) : undefined;
      update({ sort: sortField && order ? `${order === 'descend' ? '-' : ''}${sortField}` : DEFAULT_SORT });
      return;
    }
    if (extra.action === 'paginate') {
      const pageSize = pagination.pageSize ?? query.page_size;
      update({ current: pageSize !== query.page_size ? 1 : (pagination.current ?? 1), page_size: pageSize }, false);
    }
  };

  return (
    <div data-testid="task-list-page">
      <PageHeader
        title="Tasks"
        subtitle={
          perms.can(Permission.TaskList)
            ? 'Background work across all users'
            : 'Background work you started'
        }
        extra={
          <Space>
            <Tooltip title={live ? 'Receiving live updates' : 'Live stream unavailable: refreshing periodically'}>
              <Tag color={live ? 'green' : 'default'} data-testid="task-list-live">
                {live ? 'Live' : 'Polling'}
              </Tag>
            </Tooltip>
            <Button icon={<ReloadOutlined />} onClick={() => void load(false)} data-testid="task-list-refresh">
              Refresh
            </Button>
          </Space>
        }
      />
      <Card variant="outlined">
        <div className="ty-filter-bar">
          <Input.Search
            placeholder="Search by type, id or payload text"
            allowClear
            value={searchDraft}
            onChange={(e) => setSearchDraft(e.target.value)}
            onSearch={(value) => update({ search: value.trim() || undefined })}
            style={{ width: 280 }}
            aria-label="Search tasks"
            data-testid="task-search"
          />
          <Select<TaskStatus>
            placeholder="Status"
            allowClear
            value={query.status}
            onChange={(status) => update({ status })}
            options={TASK_STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))}
            style={{ width: 140 }}
            aria-label="Filter by status"
            data-testid="task-filter-status"
          />
          <TypeFilter value={query.type} onApply={(type) => update({ type })} />
          <Select<TaskCategory>
            placeholder="Category"
            allowClear
            value={query.category}
            onChange={(category) => update({ category })}
            options={TASK_CATEGORIES.map((c) => ({ value: c, label: c === 'user' ? 'User' : 'System' }))}
            style={{ width: 130 }}
            aria-label="Filter by category"
            data-testid="task-filter-category"
          />
          <DatePicker.RangePicker
            value={dateRange}
            onChange={(range) =>
              update({
                created_from: range?.[0]?.startOf('day').toISOString(),
                created_to: range?.[1]?.endOf('day').toISOString(),
              })
            }
            allowEmpty={[false, false]}
            placeholder={['Created from', 'Created to']}
            data-testid="task-filter-created"
          />
          {perms.can(Permission.TaskList) && (
            <Input
              placeholder="Creator id"
              allowClear
              defaultValue={query.creator_id}
              key={query.creator_id ?? 'none'}
              onPressEnter={(e) => update({ creator_id: e.currentTarget.value.trim() || undefined })}
              onBlur={(e) => {
                const value = e.currentTarget.value.trim() || undefined;
                if (value !== query.creator_id) update({ creator_id: value });
              }}
              style={{ width: 170 }}
              aria-label="Filter by creator id"
              data-testid="task-filter-creator"
            />
          )}
          {filtersActive && (
            <Button onClick={() => setSearchParams(new URLSearchParams())} data-testid="task-filter-reset">
              Reset filters
            </Button>
          )}
        </div>

        {selected.length > 0 && (
          <div className="ty-bulk-bar" data-testid="bulk-bar">
            <Typography.Text strong data-testid="bulk-selected-count">
              {selected.length} selected
            </Typography.Text>
            <Button
              icon={<StopOutlined />}
              loading={bulkBusy === 'cancel'}
              disabled={bulkBusy !== null}
              onClick={() => void runBulk('cancel')}
              data-testid="bulk-cancel"
            >
              Cancel
            </Button>
            <Button
              icon={<RedoOutlined />}
              loading={bulkBusy === 'retry'}
              disabled={bulkBusy !== null}
              onClick={() => void runBulk('retry')}
              data-testid="bulk-retry"
            >
              Retry
            </Button>
            <Popconfirm
              title={`Delete ${selected.length} task${selected.length === 1 ? '' : 's'}?`}
              description="Running tasks are cancelled first."
              okText="Delete"
              okButtonProps={{ danger: true, ...testAttrs('confirm-bulk-delete') }}
              onConfirm={() => void runBulk('delete')}
            >
              <Button danger icon={<DeleteOutlined />} loading={bulkBusy === 'delete'} disabled={bulkBusy !== null} data-testid="bulk-delete">
                Delete
              </Button>
            </Popconfirm>
            <Button type="link" onClick={() => setSelected([])} data-testid="bulk-clear">
              Clear selection
            </Button>
          </div>
        )}

        {error !== null && (
          <Alert
            type="error"
            showIcon
            title="Could not load tasks"
            description={describeError(error)}
            action={
              <Button size="small" onClick={() => void load(false)}>
                Try again
              </Button>
            }
            style={{ marginBottom: 16 }}
            data-testid="task-list-error"
          />
        )}
        {newTasksHint && (
          <Alert
            type="info"
            showIcon
            title="New tasks were created."
            action={
              <Button size="small" type="link" onClick={() => void load(true)} data-testid="task-list-show-new">
                Show
              </Button>
            }
            style={{ marginBottom: 12 }}
          />
        )}

        <Table<TaskDto>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={tasks}
          columns={columns}
          scroll={{ x: 'max-content' }}
          onChange={onTableChange}
          onRow={(task) => testAttrs('task-row', { 'task-id': task.id, status: task.status })}
          rowSelection={{
            selectedRowKeys: selected,
            preserveSelectedRowKeys: true,
            onChange: (keys) => setSelected(keys.map(String)),
            getCheckboxProps: (task) => ({ 'aria-label': `Select task ${task.id}` }),
          }}
          pagination={{
            current: query.current,
            pageSize: query.page_size,
            total,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n, range) => `${range[0]}-${range[1]} of ${n}`,
          }}
          locale={{
            emptyText: (
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={error !== null ? 'Tasks could not be loaded' : filtersActive ? 'No tasks match these filters' : 'No tasks yet'}
                data-testid="task-list-empty"
              />
            ),
          }}
          data-testid="task-table"
        />
      </Card>
      <BulkResultModal outcome={bulkOutcome} onClose={() => setBulkOutcome(null)} />
    </div>
  );
}
