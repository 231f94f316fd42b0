import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import type { TaskDto, TaskEvent } from '@taskyard/contracts';
import { Alert, Button, Card, Col, Descriptions, Grid, Result, Row, Skeleton, Space, Tag, Tooltip, Typography, type DescriptionsProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { describeError, isApiRequestError } from '../api/client';
import { tasksApi } from '../api/endpoints';
import { JsonBlock } from '../components/json-block';
import { LogViewer } from '../components/log-viewer';
import { PageHeader } from '../components/page-header';
import { TaskActionButtons } from '../components/task-action-buttons';
import { TaskAttempts } from '../components/task-attempts';
import { TaskProgress } from '../components/task-progress';
import { TaskStatusTag } from '../components/task-status-tag';
import { useTaskActions } from '../hooks/use-task-actions';
import { useTaskEvents } from '../hooks/use-task-events';
import { useTaskLogs } from '../hooks/use-task-logs';
import { creatorLabel, formatDateTime, formatDuration } from '../lib/format';
import { applyTaskEvent, clampProgress, isActive, mergeFetchedTask } from '../lib/task-events';

/** Polling period of the detail page while the event stream is unavailable (as the seed). */
const POLL_MS = 2_000;

type LoadState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'not-found'; message: string } | { kind: 'error'; error: unknown };

export function TaskDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [task, setTask] = useState<TaskDto | null>(null);
  const [state, setState] = useState<LoadState>({ kind: 'loading' });
  const [deleted, setDeleted] = useState(false);
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const logs = useTaskLogs(id);
  const phone = Grid.useBreakpoint().md === false;

  const loadTask = useCallback(
    async (silent: boolean) => {
      if (!silent) setState({ kind: 'loading' });
      try {
        const fresh = await tasksApi.get(id);
        setTask((shown) => mergeFetchedTask(shown, fresh));
        setState({ kind: 'ready' });
        setRefreshError(null);
      } catch (err) {
        if (isApiRequestError(err) && (err.status === 404 || err.status === 400)) {
          setState({ kind: 'not-found', message: err.err });
        } else if (silent) {
          setRefreshError(err);
        } else {
          setState({ kind: 'error', error: err });
        }
      }
    },
    [id],
  );

  useEffect(() => {
    void loadTask(false);
  }, [loadTask]);

  const { tail, pushStreamed } = logs;
  const onEvent = useCallback(
    (event: TaskEvent) => {
      if (event.task_id !== id) return;
      switch (event.type) {
        case 'deleted':
          setDeleted(true);
          return;
        case 'log':
          pushStreamed(event.log);
          return;
        case 'progress':
          setTask((prev) => (prev ? applyTaskEvent(prev, event) : prev));
          return;
        case 'status':
          setTask((prev) => (prev ? applyTaskEvent(prev, event) : prev));
          // Result, artifact and timestamps are not in the event: re-read the task and any last lines.
          void loadTask(true);
          void tail();
          return;
      }
    },
    [id, pushStreamed, tail, loadTask],
  );

  const active = task !== null && isActive(task);
  const poll = useCallback(async () => {
    await Promise.all([loadTask(true), tail()]);
  }, [loadTask, tail]);
  const { live } = useTaskEvents({
    taskId: id,
    enabled: state.kind === 'ready' && !deleted,
    onEvent,
    poll,
    pollIntervalMs: active ? POLL_MS : null,
  });

  const actions = useTaskActions({
    onChanged: (_id, updated) => {
      if (updated) setTask(updated);
      void loadTask(true);
    },
    onDeleted: () => void navigate('/tasks', { replace: true }),
  });

  if (state.kind === 'loading' && task === null) {
    return (
      <Card data-testid="task-detail-loading">
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  if (state.kind === 'not-found') {
    return (
      <Result
        status="404"
        title="Task not found"
        subTitle={`No task with id ${id} exists, or you are not allowed to see it.`}
        extra={
          <Link to="/tasks">
            <Button type="primary">Back to tasks</Button>
          </Link>
        }
        data-testid="task-not-found"
      />
    );
  }
  if (deleted) {
    return (
      <Result
        status="warning"
        title="This task was deleted"
        extra={
          <Link to="/tasks">
            <Button type="primary">Back to tasks</Button>
          </Link>
        }
        data-testid="task-deleted"
      />
    );
  }
  if (state.kind === 'error' || task === null) {
    return (
      <Result
        status="error"
        title="Could not load the task"
        subTitle={state.kind === 'error' ? describeError(state.error) : undefined}
        extra={
          <Button type="primary" onClick={() => void loadTask(false)}>
            Try again
          </Button>
        }
        data-testid="task-detail-error"
      />
    );
  }

  const items: DescriptionsProps['items'] = [
    { key: 'id', label: 'ID', children: <Typography.Text copyable className="ty-mono" data-testid="task-detail-id">{task.id}</Typography.Text>, span: 'filled' },
    { key: 'type', label: 'Type', children: <Typography.Text strong data-testid="task-detail-type">{task.type}</Typography.Text> },
    { key: 'status', label: 'Status', children: <TaskStatusTag task={task} /> },
    { key: 'category', label: 'Category', children: <Tag color={task.category === 'system' ? 'purple' : 'blue'}>{task.category}</Tag> },
    {
      key: 'creator',
      label: 'Creator',
      children: (
        <span title={task.creator_id} data-testid="task-detail-creator">
          {creatorLabel(task)}
        </span>
      ),
    },
    { key: 'priority', label: 'Priority', children: task.priority },
    { key: 'schedule', label: 'Schedule', children: task.cron_schedule_id ?? '—' },
    { key: 'retry', label: 'Manual retries', children: task.retry_count },
    { key: 'auto', label: 'Automatic retries', children: `${task.auto_retry_count} of ${task.max_retries}` },
    { key: 'cancel', label: 'Cancel requested', children: task.cancel_requested ? <Tag color="warning">yes</Tag> : 'no' },
    { key: 'artifact', label: 'Artifact', children: task.artifact_file_name ?? (task.artifact_file_key ? task.artifact_file_key : '—') },
    { key: 'created', label: 'Created', children: formatDateTime(task.created_at) },
    { key: 'updated', label: 'Updated', children: formatDateTime(task.updated_at) },
    { key: 'started', label: 'Started', children: formatDateTime(task.started_at) },
    { key: 'finished', label: 'Finished', children: formatDateTime(task.finished_at) },
    { key: 'duration', label: 'Duration', children: task.started_at ? formatDuration(task.started_at, task.finished_at) : '—' },
    { key: 'not_before', label: 'Not before', children: formatDateTime(task.not_before) },
    { key: 'not_after', label: 'Not after', children: formatDateTime(task.not_after) },
  ];

  return (
    <div data-testid="task-detail-page" data-task-id={task.id} data-status={task.status}>
      <PageHeader
        title={
          <Space>
            <Link to="/tasks" aria-label="Back to tasks">
              <ArrowLeftOutlined />
            </Link>
            <span>{task.type}</span>
            <TaskStatusTag task={task} />
          </Space>
        }
        subtitle={<span className="ty-mono ty-break">{task.id}</span>}
        extra={
          <Space wrap>
            <Tooltip title={live ? 'Receiving live updates' : active ? 'Live stream unavailable: refreshing every 2 s' : 'Not live'}>
              <Tag color={live ? 'green' : 'default'} data-testid="task-detail-live">
                {live ? 'Live' : active ? 'Polling' : 'Idle'}
              </Tag>
            </Tooltip>
            <Button icon={<ReloadOutlined />} onClick={() => void poll()} aria-label="Refresh" data-testid="task-detail-refresh" />
            <TaskActionButtons task={task} actions={actions} busy={actions.busy[task.id]} variant="page" />
          </Space>
        }
      />

      {refreshError !== null && (
        <Alert type="warning" showIcon title="Could not refresh the task" description={describeError(refreshError)} style={{ marginBottom: 16 }} closable />
      )}

      <Card title="Progress" style={{ marginBottom: 16 }}>
        <TaskProgress task={task} size="medium" testId="task-detail-progress" />
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }} data-testid="task-detail-progress-message">
          {task.progress_message ?? (active ? 'Waiting for progress…' : '')}
        </Typography.Paragraph>
        <span className="ty-visually-hidden" aria-live="polite">
          {`${clampProgress(task.progress)}%`}
        </span>
      </Card>

      {task.error && (
        <Alert
          type="error"
          showIcon
          title="Error"
          description={<pre className="ty-pre-wrap">{task.error}</pre>}
          style={{ marginBottom: 16 }}
          data-testid="task-detail-error-message"
        />
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title="Details">
            <Descriptions
              bordered
              size="small"
              column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 1, xxl: 2 }}
              layout={phone ? 'vertical' : 'horizontal'}
              items={items}
              styles={{ label: { whiteSpace: 'nowrap' }, content: { overflowWrap: 'anywhere' } }}
              data-testid="task-detail-fields"
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title="Result" style={{ marginBottom: 16 }}>
            <JsonBlock value={task.result} testId="task-detail-result" empty={active ? 'Not finished yet' : 'No result'} />
          </Card>
          <Card title="Payload">
            <JsonBlock value={task.payload} testId="task-detail-payload" empty="No payload" />
          </Card>
        </Col>
        <Col span={24}>
          <Card title="Attempts">
            <TaskAttempts taskId={task.id} version={`${task.status}:${task.retry_count}:${task.auto_retry_count}`} />
          </Card>
        </Col>
        <Col span={24}>
          <Card title="Logs">
            {logs.error !== null && (
              <Alert
                type="error"
                showIcon
                title="Could not load logs"
                description={describeError(logs.error)}
                action={
                  <Button size="small" onClick={() => void tail()}>
                    Try again
                  </Button>
                }
                style={{ marginBottom: 12 }}
              />
            )}
            <LogViewer logs={logs.logs} loading={logs.loading} live={active} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
