import { PauseCircleOutlined, PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Permission, type QueueDto, type RateLimitDto, type TaskTypeControlDto } from '@taskyard/contracts';
import { Alert, App, Badge, Button, Card, Empty, Form, InputNumber, Modal, Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { describeError } from '../api/client';
import { operationsApi } from '../api/operations';
import { usePermissions } from '../auth/permissions';
import { PageHeader } from '../components/page-header';
import { usePolled } from '../hooks/use-polled';
import { formatDateTime } from '../lib/format';
import { testAttrs } from '../lib/test-attrs';

const POLL_MS = 3_000;

const describeLimit = (limit: RateLimitDto | null): string => (limit ? `${limit.max} / ${limit.interval_ms >= 1000 && limit.interval_ms % 1000 === 0 ? `${limit.interval_ms / 1000} s` : `${limit.interval_ms} ms`}` : 'none');

function RateLimitModal({ type, onClose, onSaved }: { type: TaskTypeControlDto | null; onClose: () => void; onSaved: (queues: QueueDto[]) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<RateLimitDto>();
  const [saving, setSaving] = useState(false);

  const save = async (clear: boolean) => {
    if (!type) return;
    setSaving(true);
    try {
      const queues = clear ? await operationsApi.clearRateLimit(type.type) : await operationsApi.setRateLimit(type.type, await form.validateFields());
      message.success(clear ? `${type.type}: back to ${describeLimit(type.rate_limit_default)}` : `${type.type}: rate limit saved`);
      onSaved(queues);
      onClose();
    } catch (err) {
      if (err instanceof Error) message.error(describeError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={type !== null}
      title={type ? `Rate limit · ${type.type}` : 'Rate limit'}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="clear" disabled={!type?.rate_limit_override} loading={saving} onClick={() => void save(true)} data-testid="rate-limit-clear">
          Use the default ({describeLimit(type?.rate_limit_default ?? null)})
        </Button>,
        <Button key="save" type="primary" loading={saving} onClick={() => void save(false)} data-testid="rate-limit-save">
          Save
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">At most this many starts per interval across every worker; jobs over it wait without holding a worker slot.</Typography.Paragraph>
      <Form form={form} layout="inline" initialValues={type?.rate_limit ?? { max: 10, interval_ms: 1000 }}>
        <Form.Item name="max" label="Starts" rules={[{ required: true }]}>
          <InputNumber min={1} max={1_000_000} precision={0} data-testid="rate-limit-max" />
        </Form.Item>
        <Form.Item name="interval_ms" label="per ms" rules={[{ required: true }]}>
          <InputNumber min={1} max={86_400_000} precision={0} step={1000} data-testid="rate-limit-interval" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Queues and task types: job counts, pause and resume, rate limits. */
export function QueuesPage() {
  const { message } = App.useApp();
  const { can } = usePermissions();
  const canUpdate = can(Permission.TaskQueueUpdate);
  const { data, error, reload, setData } = usePolled((signal) => operationsApi.queues(signal), POLL_MS);
  const [busy, setBusy] = useState<string | null>(null);
  const [limitOf, setLimitOf] = useState<TaskTypeControlDto | null>(null);

  const act = async (key: string, call: () => Promise<QueueDto[]>, done: string) => {
    setBusy(key);
    try {
      setData(await call());
      message.success(done);
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  const pauseButton = (key: string, paused: boolean, label: string, onClick: () => void) => (
    <Tooltip title={canUpdate ? undefined : 'You need task:queue:update to change this'}>
      <Button
        size="small"
        icon={paused ? <PlayCircleOutlined /> : <PauseCircleOutlined />}
        disabled={!canUpdate}
        loading={busy === key}
        onClick={onClick}
        {...testAttrs(paused ? 'resume-button' : 'pause-button', { target: key })}
      >
        {paused ? `Resume ${label}` : `Pause ${label}`}
      </Button>
    </Tooltip>
  );

  const typeColumns: TableProps<TaskTypeControlDto>['columns'] = [
    { title: 'Task type', dataIndex: 'type', render: (type: string) => <Typography.Text code>{type}</Typography.Text> },
    {
      title: 'State',
      dataIndex: 'paused',
      render: (paused: boolean) => (paused ? <Tag color="warning">Paused</Tag> : <Tag color="success">Running</Tag>),
    },
    {
      title: 'Rate limit',
      key: 'rate',
      render: (_: unknown, t) => (
        <Space size={4}>
          <span {...testAttrs('type-rate-limit', { type: t.type })}>{describeLimit(t.rate_limit)}</span>
          {t.rate_limit_override && <Tag>override</Tag>}
        </Space>
      ),
    },
    { title: 'Per-worker concurrency', dataIndex: 'concurrency', render: (v: number | null) => v ?? '—' },
    { title: 'Timeout', dataIndex: 'timeout_ms', render: (v: number | null) => (v === null ? '—' : `${v} ms`) },
    {
      title: 'Actions',
      key: 'actions',
      render: (_: unknown, t) => (
        <Space size={4}>
          {pauseButton(`type:${t.type}`, t.paused, 'type', () =>
            void act(`type:${t.type}`, () => operationsApi.pauseType(t.type, !t.paused), `${t.type} ${t.paused ? 'resumed' : 'paused'}`),
          )}
          <Button size="small" disabled={!canUpdate} onClick={() => setLimitOf(t)} {...testAttrs('rate-limit-edit', { type: t.type })}>
            Rate limit…
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="queues-page">
      <PageHeader
        title="Queues"
        subtitle="Pause and resume queues or task types on every worker; paused work stays pending and runs on resume."
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="queues-refresh">
            Refresh
          </Button>
        }
      />
      {error !== null && <Alert type="error" showIcon title="Could not load queues" description={describeError(error)} style={{ marginBottom: 16 }} />}
      {data !== null && data.length === 0 && <Empty description="No queues" />}
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {(data ?? []).map((q) => (
          <Card
            key={q.name}
            title={
              <Space>
                <Badge status={q.paused ? 'warning' : 'success'} />
                <Typography.Text strong>{q.name}</Typography.Text>
                {q.paused && <Tag color="warning">Paused since {formatDateTime(q.paused_at)}</Tag>}
              </Space>
            }
            extra={pauseButton(`queue:${q.name}`, q.paused, 'queue', () =>
              void act(`queue:${q.name}`, () => operationsApi.pauseQueue(q.name, !q.paused), `${q.name} ${q.paused ? 'resumed' : 'paused'}`),
            )}
            {...testAttrs('queue-card', { queue: q.name, paused: String(q.paused) })}
          >
            <Space wrap style={{ marginBottom: 12 }}>
              <Tag>waiting {q.jobs.waiting + q.jobs.prioritized}</Tag>
              <Tag>delayed {q.jobs.delayed}</Tag>
              <Tag color="processing">active {q.jobs.active}</Tag>
            </Space>
            <Table<TaskTypeControlDto>
              size="small"
              rowKey="type"
              dataSource={q.types}
              columns={typeColumns}
              pagination={false}
              scroll={{ x: 'max-content' }}
              onRow={(t) => testAttrs('type-row', { type: t.type, paused: String(t.paused) })}
              locale={{ emptyText: 'No task type known on this queue' }}
            />
          </Card>
        ))}
      </Space>
      <RateLimitModal type={limitOf} onClose={() => setLimitOf(null)} onSaved={setData} />
    </div>
  );
}
