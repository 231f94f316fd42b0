import { ReloadOutlined } from '@ant-design/icons';
import { Permission, type TaskDto } from '@taskyard/contracts';
import { Alert, App, Button, Card, Empty, Grid, Space, Table, Tag, Tooltip, type TableProps } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { describeError } from '../api/client';
import { tasksApi, type BulkAction } from '../api/endpoints';
import type { TaskListQuery } from '../api/types';
import { usePermissions } from '../auth/permissions';
import { BulkResultModal, type BulkOutcome } from '../components/bulk-result-modal';
import { PageHeader } from '../components/page-header';
import { useTaskActions } from '../hooks/use-task-actions';
import { testAttrs } from '../lib/test-attrs';
import { TaskBulkBar } from './task-list/task-bulk-bar';
import { taskColumns } from './task-list/task-columns';
import { TaskFilterBar } from './task-list/task-filter-bar';
import { DEFAULT_SORT, nextSort, oneOf, readQuery, SORTABLE, toParams, type SortField } from './task-list/task-list-query';
import { useTaskList } from './task-list/use-task-list';

export function TaskListPage() {
  const { message } = App.useApp();
  const perms = usePermissions();
  const seesAll = perms.can(Permission.TaskList);
  const screens = Grid.useBreakpoint();
  const narrow = screens.md === false;
  const [searchParams, setSearchParams] = useSearchParams();
  const queryKey = searchParams.toString();
  const query = useMemo(() => readQuery(new URLSearchParams(queryKey), seesAll), [queryKey, seesAll]);
  const { tasks, setTasks, total, loading, error, newTasksHint, live, load, scheduleReload } = useTaskList(query);

  const [selected, setSelected] = useState<string[]>([]);
  const [bulkBusy, setBulkBusy] = useState<BulkAction | null>(null);
  const [bulkOutcome, setBulkOutcome] = useState<BulkOutcome | null>(null);

  const update = useCallback(
    (patch: Partial<TaskListQuery>, resetPage = true) => {
      const next: TaskListQuery = { ...query, ...patch };
      if (resetPage && patch.current === undefined) next.current = 1;
      setSearchParams(toParams(next, seesAll));
    },
    [query, setSearchParams, seesAll],
  );

  const actions = useTaskActions({
    onChanged: (id, updated) => {
      if (updated) setTasks((list) => list.map((t) => (t.id === id ? { ...t, ...updated } : t)));
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

  const filtersActive = Boolean(query.search || query.status || query.type || query.creator_id || query.created_from || query.created_to);
  const { cancel, retry, remove, download, busy } = actions;
  const columns = useMemo(
    () => taskColumns({ sort: query.sort, perms, actions: { cancel, retry, remove, download }, busy, narrow }),
    [query.sort, perms, cancel, retry, remove, download, busy, narrow],
  );

  const onTableChange: TableProps<TaskDto>['onChange'] = (pagination, _filters, sorter, extra) => {
    if (extra.action === 'sort') {
      const s = Array.isArray(sorter) ? sorter[0] : sorter;
      // Clearing a sort reports no field: that is the column sorted now.
      const field = oneOf<SortField>(typeof s?.field === 'string' ? s.field : (query.sort ?? DEFAULT_SORT).replace(/^-/, ''), SORTABLE);
      if (field) update({ sort: nextSort(query.sort, field, s?.order) });
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
        subtitle={seesAll ? (query.category === 'user' ? 'User work across all users (system tasks hidden)' : 'Background work across all users') : 'Background work you started'}
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
      <Card variant="outlined" className="ty-list-card">
        <TaskFilterBar
          query={query}
          seesAll={seesAll}
          filtersActive={filtersActive}
          update={update}
          reset={() => setSearchParams(toParams(readQuery(new URLSearchParams(), seesAll), seesAll))}
        />

        {selected.length > 0 && <TaskBulkBar count={selected.length} busy={bulkBusy} run={(a) => void runBulk(a)} clear={() => setSelected([])} />}

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
            data-testid="task-list-new-hint"
          />
        )}

        <Table<TaskDto>
          rowKey="id"
          size={narrow ? 'small' : 'middle'}
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
            // A native checkbox per row (antd's cost a tenth of a 100-row render); the header's
            // select-all stays antd's.
            renderCell: (checked, task) => (
              <input
                type="checkbox"
                className="ty-row-check"
                checked={checked}
                aria-label={`Select task ${task.id}`}
                onChange={(e) => {
                  const on = e.target.checked;
                  setSelected((keys) => (on ? [...keys.filter((k) => k !== task.id), task.id] : keys.filter((k) => k !== task.id)));
                }}
              />
            ),
          }}
          pagination={{
            current: query.current,
            pageSize: query.page_size,
            total,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: narrow ? undefined : (n, range) => `${range[0]}-${range[1]} of ${n}`,
            size: narrow ? 'small' : undefined,
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
