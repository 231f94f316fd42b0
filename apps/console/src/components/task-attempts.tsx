import type { AttemptFollowUp, AttemptOutcome, TaskAttemptDto } from '@taskyard/contracts';
import { Alert, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { operationsApi } from '../api/operations';
import { formatDateTime, formatDuration } from '../lib/format';
import { testAttrs } from '../lib/test-attrs';

const OUTCOME_STYLE: Record<AttemptOutcome, { color: string; label: string }> = {
  running: { color: 'processing', label: 'Running' },
  success: { color: 'success', label: 'Success' },
  failed: { color: 'error', label: 'Failed' },
  cancelled: { color: 'warning', label: 'Cancelled' },
  lost: { color: 'magenta', label: 'Worker lost' },
  released: { color: 'default', label: 'Handed back' },
};

const FOLLOW_UP_LABEL: Record<AttemptFollowUp, string> = {
  auto_retry: 'automatic retry',
  manual_retry: 'manual retry',
  recovery: 'recovered',
  handback: 'requeued on shutdown',
};

const columns: TableColumnsType<TaskAttemptDto> = [
  { title: '#', dataIndex: 'attempt', width: 56 },
  {
    title: 'Outcome',
    dataIndex: 'outcome',
    render: (outcome: AttemptOutcome) => (
      <Tag color={OUTCOME_STYLE[outcome].color} {...testAttrs('attempt-outcome', { outcome })}>
        {OUTCOME_STYLE[outcome].label}
      </Tag>
    ),
  },
  { title: 'Started', dataIndex: 'started_at', render: (v: string | null) => formatDateTime(v) },
  { title: 'Duration', key: 'duration', render: (_, a) => formatDuration(a.started_at, a.finished_at) },
  { title: 'Worker', dataIndex: 'worker_id', render: (v: string | null) => <Typography.Text code>{v ?? '—'}</Typography.Text> },
  { title: 'Error', dataIndex: 'error', render: (v: string | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : '—') },
  { title: 'Then', dataIndex: 'followed_by', render: (v: AttemptFollowUp | null) => (v ? FOLLOW_UP_LABEL[v] : '—') },
];

/**
 * A task's attempts (start, end, worker, outcome, error, what followed). Re-read whenever
 * `version` changes: the detail page passes something that changes with every transition.
 */
export function TaskAttempts({ taskId, version }: { taskId: string; version: string }) {
  const [attempts, setAttempts] = useState<TaskAttemptDto[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    operationsApi
      .attempts(taskId, controller.signal)
      .then((rows) => {
        setAttempts(rows);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      });
    return () => controller.abort();
  }, [taskId, version]);

  if (error !== null) return <Alert type="error" showIcon title="Could not load attempts" description={describeError(error)} />;
  return (
    <Table<TaskAttemptDto>
      size="small"
      rowKey="attempt"
      loading={attempts === null}
      dataSource={attempts ?? []}
      columns={columns}
      pagination={false}
      scroll={{ x: true }}
      locale={{ emptyText: 'Not started yet' }}
      {...testAttrs('task-attempts')}
    />
  );
}
