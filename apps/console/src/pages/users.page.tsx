import { ExportOutlined, ReloadOutlined } from '@ant-design/icons';
import { Permission } from '@taskyard/contracts';
import { Alert, App, Button, Card, Empty, Input, Select, Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/client';
import { usersApi } from '../api/endpoints';
import { roleName, type RoleRef, type UserDto } from '../api/types';
import { usePermissions } from '../auth/permissions';
import { PageHeader } from '../components/page-header';
import { formatDateTime, formatRelative } from '../lib/format';
import { testAttrs } from '../lib/test-attrs';
import { useSite } from '../site/site-context';

const STATUS_OPTIONS = [
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
];

const STATUS_COLORS: Record<string, string> = { active: 'success', disabled: 'default' };

function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? 'processing';
}

export function UsersPage() {
  const { message } = App.useApp();
  const { can } = usePermissions();
  const { addTask } = useSite();
  const [keywords, setKeywords] = useState('');
  const [appliedKeywords, setAppliedKeywords] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [current, setCurrent] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [users, setUsers] = useState<UserDto[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await usersApi.list({ current, page_size: pageSize, keywords: appliedKeywords, status });
      setUsers(page.items);
      setTotal(page.total);
      setError(null);
    } catch (err) {
      setError(err);
      setUsers([]);
    } finally {
      setLoading(false);
    }
  }, [current, pageSize, appliedKeywords, status]);

  useEffect(() => {
    void load();
  }, [load]);

  const startExport = async () => {
    setExporting(true);
    try {
      const task = await usersApi.export({ keywords: appliedKeywords, status });
      addTask(task);
      message.success('Export started: follow it in the task menu.');
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setExporting(false);
    }
  };

  const columns: TableProps<UserDto>['columns'] = [
    {
      title: 'User',
      dataIndex: 'username',
      render: (username: string, user) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{username}</Typography.Text>
          {user.full_name && <Typography.Text type="secondary">{user.full_name}</Typography.Text>}
        </Space>
      ),
    },
    { title: 'Email', dataIndex: 'email', render: (email: string | null | undefined) => email || '—' },
    {
      title: 'Roles',
      dataIndex: 'roles',
      render: (roles: RoleRef[] | undefined) =>
        roles && roles.length > 0 ? roles.map((r) => <Tag key={roleName(r)}>{roleName(r)}</Tag>) : '—',
    },
    {
      title: 'Status',
      dataIndex: 'status',
      width: 110,
      render: (value: string | null | undefined) => (value ? <Tag color={statusColor(value)}>{value}</Tag> : '—'),
    },
    {
      title: 'Created',
      dataIndex: 'created_at',
      width: 140,
      render: (value: string | null | undefined) => <Tooltip title={formatDateTime(value)}>{formatRelative(value)}</Tooltip>,
    },
  ];

  return (
    <div data-testid="users-page">
      <PageHeader
        title="Users"
        subtitle="Accounts that can sign in to Taskyard."
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>
              Refresh
            </Button>
            {can(Permission.UserExport) && (
              // A title, not a Tooltip: a tooltip stayed over the task dropdown that the export opens.
              <Button
                type="primary"
                icon={<ExportOutlined />}
                loading={exporting}
                onClick={() => void startExport()}
                title="Exports the users matching the current filters to CSV as a background task"
                data-testid="users-export"
              >
                Export
              </Button>
            )}
          </Space>
        }
      />
      <Card>
        <div className="ty-filter-bar">
          <Input.Search
            placeholder="Search username, name or email"
            allowClear
            value={keywords}
            onChange={(e) => setKeywords(e.target.value)}
            onSearch={(value) => {
              setAppliedKeywords(value.trim() || undefined);
              setCurrent(1);
            }}
            style={{ width: 300 }}
            aria-label="Search users"
            data-testid="users-search"
          />
          <Select
            placeholder="Status"
            allowClear
            value={status}
            onChange={(value: string | undefined) => {
              setStatus(value);
              setCurrent(1);
            }}
            options={STATUS_OPTIONS}
            style={{ width: 150 }}
            aria-label="Filter by status"
            data-testid="users-filter-status"
          />
        </div>
        {error !== null && (
          <Alert
            type="error"
            showIcon
            title="Could not load users"
            description={describeError(error)}
            action={
              <Button size="small" onClick={() => void load()}>
                Try again
              </Button>
            }
            style={{ marginBottom: 16 }}
          />
        )}
        <Table<UserDto>
          rowKey="id"
          loading={loading}
          dataSource={users}
          columns={columns}
          onRow={(user) => testAttrs('user-row', { 'user-id': user.id })}
          pagination={{
            current,
            pageSize,
            total,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            onChange: (page, size) => {
              setCurrent(size !== pageSize ? 1 : page);
              setPageSize(size);
            },
            showTotal: (n) => `${n} users`,
          }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No users match" /> }}
        />
      </Card>
    </div>
  );
}
