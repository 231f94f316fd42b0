import { CrownOutlined, ReloadOutlined } from '@ant-design/icons';
import type { FleetMemberDto, FleetRunDto } from '@taskyard/contracts';
import { Alert, Button, Card, Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { Link } from 'react-router-dom';
import { describeError } from '../api/client';
import { operationsApi } from '../api/operations';
import { PageHeader } from '../components/page-header';
import { usePolled } from '../hooks/use-polled';
import { formatDateTime, formatDuration, formatRelative, shortId } from '../lib/format';
import { testAttrs } from '../lib/test-attrs';

const POLL_MS = 2_000;

const heartbeat = (m: FleetMemberDto) => <Tooltip title={formatDateTime(m.heartbeat_at)}>{formatRelative(m.heartbeat_at)}</Tooltip>;

function Runs({ runs }: { runs: FleetRunDto[] }) {
  if (runs.length === 0) return <Typography.Text type="secondary">idle</Typography.Text>;
  return (
    <Space orientation="vertical" size={0}>
      {runs.map((r) => (
        <span key={r.task_id}>
          <Link to={`/tasks/${r.task_id}`} className="ty-mono">
            {shortId(r.task_id)}
          </Link>{' '}
          <Typography.Text type="secondary">
            {r.type} #{r.attempt} · {formatDuration(r.started_at, null)}
          </Typography.Text>
        </span>
      ))}
    </Space>
  );
}

const workerColumns: TableProps<FleetMemberDto>['columns'] = [
  { title: 'Worker', dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
  { title: 'Host', dataIndex: 'host' },
  { title: 'PID', dataIndex: 'pid' },
  { title: 'Queues', dataIndex: 'queues', render: (queues: string[] = []) => queues.map((q) => <Tag key={q}>{q}</Tag>) },
  { title: 'Busy', key: 'busy', render: (_: unknown, m) => `${m.running?.length ?? 0} / ${m.concurrency ?? '—'}` },
  { title: 'Running tasks', dataIndex: 'running', render: (runs: FleetRunDto[] = []) => <Runs runs={runs} /> },
  { title: 'Up since', dataIndex: 'started_at', render: (v: string) => formatRelative(v) },
  { title: 'Last heartbeat', key: 'heartbeat', render: (_: unknown, m) => heartbeat(m) },
];

const schedulerColumns: TableProps<FleetMemberDto>['columns'] = [
  { title: 'Scheduler', dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
  { title: 'Host', dataIndex: 'host' },
  { title: 'PID', dataIndex: 'pid' },
  {
    title: 'Role',
    dataIndex: 'leader',
    render: (leader: boolean) => (leader ? <Tag color="gold" icon={<CrownOutlined />}>leader</Tag> : <Tag>standby</Tag>),
  },
  { title: 'Up since', dataIndex: 'started_at', render: (v: string) => formatRelative(v) },
  { title: 'Last heartbeat', key: 'heartbeat', render: (_: unknown, m) => heartbeat(m) },
];

/** Live workers and schedulers, as they heartbeat; a silent one drops out after its lease. */
export function FleetPage() {
  const { data, error, reload } = usePolled((signal) => operationsApi.fleet(signal), POLL_MS);
  return (
    <div data-testid="fleet-page">
      <PageHeader
        title="Fleet"
        subtitle={`Live processes; one that stops heartbeating leaves this list after ${data ? `${data.lease_ms / 1000} s` : 'its lease'}.`}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="fleet-refresh">
            Refresh
          </Button>
        }
      />
      {error !== null && <Alert type="error" showIcon title="Could not load the fleet" description={describeError(error)} style={{ marginBottom: 16 }} />}
      <Card title={`Workers (${data?.workers.length ?? 0})`} style={{ marginBottom: 16 }}>
        <Table<FleetMemberDto>
          size="small"
          rowKey="id"
          loading={data === null && error === null}
          dataSource={data?.workers ?? []}
          columns={workerColumns}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(m) => testAttrs('fleet-worker', { pid: String(m.pid) })}
          locale={{ emptyText: 'No worker is running' }}
        />
      </Card>
      <Card title={`Schedulers (${data?.schedulers.length ?? 0})`}>
        <Table<FleetMemberDto>
          size="small"
          rowKey="id"
          dataSource={data?.schedulers ?? []}
          columns={schedulerColumns}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(m) => testAttrs('fleet-scheduler', { leader: String(Boolean(m.leader)) })}
          locale={{ emptyText: 'No scheduler is running' }}
        />
      </Card>
    </div>
  );
}
