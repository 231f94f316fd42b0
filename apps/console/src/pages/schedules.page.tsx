import { HistoryOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Permission, type ScheduleDto, type TaskDto } from '@taskyard/contracts';
import { Alert, App, Button, Card, Drawer, Empty, Space, Switch, Table, Tooltip, Typography, type TableProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { describeError } from '../api/client';
import { schedulesApi } from '../api/endpoints';
import { usePermissions } from '../auth/permissions';
import { PageHeader } from '../components/page-header';
import { TaskProgress } from '../components/task-progress';
import { TaskStatusTag } from '../components/task-status-tag';
import { formatDateTime, formatDuration, formatRelative, shortId } from '../lib/format';
import { testAttrs } from '../lib/test-attrs';

const HISTORY_PAGE_SIZE = 10;

function ScheduleHistory({ schedule, onClose }: { schedule: ScheduleDto | null; onClose: () => void }) {
  const [current, setCurrent] = useState(1);
  const [tasks, setTasks] = useState<TaskDto[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const scheduleId = schedule?.id;

  useEffect(() => setCurrent(1), [scheduleId]);

  const load = useCallback(async () => {
    if (!scheduleId) return;
    setLoading(true);
    try {
      const page = await schedulesApi.history(scheduleId, { current, page_size: HISTORY_PAGE_SIZE });
      setTasks(page.items);
      setTotal(page.total);
      setError(null);
    } catch (err) {
      setError(err);
      setTasks([]);
    } finally {
      setLoading(false);
    }
  }, [scheduleId, current]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableProps<TaskDto>['columns'] = [
    {
      title: 'Task',
      dataIndex: 'id',
      render: (id: string) => (
        <Link to={`/tasks/${id}`} className="ty-mono">
          {shortId(id)}
        </Link>
      ),
    },
    { title: 'Status', dataIndex: 'status', render: (_: unknown, task) => <TaskStatusTag task={task} /> },
    { title: 'Progress', key: 'progress', width: 160, render: (_: unknown, task) => <TaskProgress task={task} /> },
    {
      title: 'Created',
      dataIndex: 'created_at',
      render: (value: string) => <Tooltip title={formatDateTime(value)}>{formatRelative(value)}</Tooltip>,
    },
    {
      title: 'Duration',
      key: 'duration',
      render: (_: unknown, task) => (task.started_at ? formatDuration(task.started_at, task.finished_at) : '—'),
    },
  ];

  return (
    <Drawer
      open={schedule !== null}
      onClose={onClose}
      size={760}
      title={schedule ? `Run history · ${schedule.name}` : 'Run history'}
      extra={<Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label="Refresh history" />}
      destroyOnHidden
    >
      <div data-testid="schedule-history">
        {error !== null && (
          <Alert type="error" showIcon title="Could not load the history" description={describeError(error)} style={{ marginBottom: 12 }} />
        )}
        <Table<TaskDto>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={tasks}
          columns={columns}
          onRow={(task) => testAttrs('schedule-history-row', { 'task-id': task.id, status: task.status })}
          pagination={{ current, pageSize: HISTORY_PAGE_SIZE, total, onChange: setCurrent, showSizeChanger: false }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="This schedule has not run yet" /> }}
        />
      </div>
    </Drawer>
  );
}

export function SchedulesPage() {
  const { message } = App.useApp();
  const { can } = usePermissions();
  const canUpdate = can(Permission.TaskScheduleUpdate);
  const [schedules, setSchedules] = useState<ScheduleDto[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<Record<string, 'toggle' | 'trigger' | undefined>>({});
  const [historyOf, setHistoryOf] = useState<ScheduleDto | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const list = await schedulesApi.list();
      setSchedules(Array.isArray(list) ? list : []);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (schedule: ScheduleDto, enabled: boolean) => {
    setBusy((prev) => ({ ...prev, [schedule.id]: 'toggle' }));
    try {
      const updated = await schedulesApi.toggle(schedule.id, enabled);
      setSchedules((list) =>
        list.map((s) => (s.id === schedule.id ? (updated && typeof updated === 'object' && 'id' in updated ? updated : { ...s, enabled }) : s)),
      );
      message.success(`${schedule.name} ${enabled ? 'enabled' : 'disabled'}.`);
      void load();
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBusy((prev) => ({ ...prev, [schedule.id]: undefined }));
    }
  };

  const trigger = async (schedule: ScheduleDto) => {
    setBusy((prev) => ({ ...prev, [schedule.id]: 'trigger' }));
    try {
      const task = await schedulesApi.trigger(schedule.id);
      message.success({
        content:
          task && typeof task === 'object' && 'id' in task ? (
            <span>
              {schedule.name} triggered. <Link to={`/tasks/${task.id}`}>View task</Link>
            </span>
          ) : (
            `${schedule.name} triggered.`
          ),
        duration: 5,
      });
      void load();
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBusy((prev) => ({ ...prev, [schedule.id]: undefined }));
    }
  };

  const columns: TableProps<ScheduleDto>['columns'] = [
    {
      title: 'Schedule',
      dataIndex: 'name',
      width: 220,
      render: (name: string, schedule) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{name}</Typography.Text>
          <Typography.Text type="secondary" className="ty-mono" style={{ fontSize: 12 }}>
            {schedule.id}
          </Typography.Text>
          {schedule.description && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {schedule.description}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: 'Cron', dataIndex: 'spec', width: 110, render: (spec: string) => <Typography.Text code className="ty-nowrap">{spec}</Typography.Text> },
    { title: 'Task type', dataIndex: 'task_type', width: 150 },
    {
      title: 'Next run',
      dataIndex: 'next_run',
      width: 140,
      render: (value: string | null, schedule) =>
        schedule.enabled && value ? <Tooltip title={formatRelative(value)}>{formatDateTime(value)}</Tooltip> : <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: 'Last run',
      dataIndex: 'last_run',
      width: 140,
      render: (value: string | null) =>
        value ? <Tooltip title={formatRelative(value)}>{formatDateTime(value)}</Tooltip> : <Typography.Text type="secondary">Never</Typography.Text>,
    },
    {
      title: 'Enabled',
      dataIndex: 'enabled',
      // Kept in view with the actions when the table scrolls sideways.
      fixed: 'right',
      width: 90,
      render: (enabled: boolean, schedule) => (
        <Tooltip title={canUpdate ? undefined : 'You need task:schedule:update to change this'}>
          <Switch
            checked={enabled}
            disabled={!canUpdate}
            loading={busy[schedule.id] === 'toggle'}
            onChange={(checked) => void toggle(schedule, checked)}
            aria-label={`${enabled ? 'Disable' : 'Enable'} ${schedule.name}`}
            {...testAttrs('schedule-toggle', { 'schedule-id': schedule.id })}
          />
        </Tooltip>
      ),
    },
    {
      title: 'Actions',
      key: 'actions',
      fixed: 'right',
      width: 210,
      render: (_: unknown, schedule) => (
        <Space size={0}>
          {canUpdate && (
            <Tooltip title={schedule.enabled ? undefined : 'Enable the schedule to trigger it'}>
              <Button
                type="link"
                size="small"
                icon={<ThunderboltOutlined />}
                disabled={!schedule.enabled || busy[schedule.id] !== undefined}
                loading={busy[schedule.id] === 'trigger'}
                onClick={() => void trigger(schedule)}
                {...testAttrs('schedule-trigger', { 'schedule-id': schedule.id })}
              >
                Trigger now
              </Button>
            </Tooltip>
          )}
          <Button
            type="link"
            size="small"
            icon={<HistoryOutlined />}
            onClick={() => setHistoryOf(schedule)}
            {...testAttrs('schedule-history-open', { 'schedule-id': schedule.id })}
          >
            History
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="schedules-page">
      <PageHeader
        title="Scheduled tasks"
        subtitle="Cron jobs defined in code; enable, disable or run them once."
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="schedules-refresh">
            Refresh
          </Button>
        }
      />
      <Card>
        {error !== null && (
          <Alert
            type="error"
            showIcon
            title="Could not load schedules"
            description={describeError(error)}
            action={
              <Button size="small" onClick={() => void load()}>
                Try again
              </Button>
            }
            style={{ marginBottom: 16 }}
          />
        )}
        <Table<ScheduleDto>
          rowKey="id"
          loading={loading}
          dataSource={schedules}
          columns={columns}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(schedule) => testAttrs('schedule-row', { 'schedule-id': schedule.id, enabled: String(schedule.enabled) })}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No scheduled jobs are registered" /> }}
        />
      </Card>
      <ScheduleHistory schedule={historyOf} onClose={() => setHistoryOf(null)} />
    </div>
  );
}
