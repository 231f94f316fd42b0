import { DeleteOutlined, RedoOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Typography } from 'antd';
import type { BulkAction } from '../../api/endpoints';
import { testAttrs } from '../../lib/test-attrs';

interface TaskBulkBarProps {
  count: number;
  busy: BulkAction | null;
  run: (action: BulkAction) => void;
  clear: () => void;
}

const plural = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

/** Actions on the selected rows; cancel and delete ask first. */
export function TaskBulkBar({ count, busy, run, clear }: TaskBulkBarProps) {
  return (
    <div className="ty-bulk-bar" data-testid="bulk-bar">
      <Typography.Text strong data-testid="bulk-selected-count">
        {count} selected
      </Typography.Text>
      <Popconfirm
        title={`Cancel ${plural(count)}?`}
        description="Running tasks are asked to stop; pending ones will not run."
        okText="Cancel tasks"
        cancelText="Keep them"
        okButtonProps={{ danger: true, ...testAttrs('confirm-bulk-cancel') }}
        onConfirm={() => run('cancel')}
      >
        <Button icon={<StopOutlined />} loading={busy === 'cancel'} disabled={busy !== null} data-testid="bulk-cancel">
          Cancel
        </Button>
      </Popconfirm>
      <Button icon={<RedoOutlined />} loading={busy === 'retry'} disabled={busy !== null} onClick={() => run('retry')} data-testid="bulk-retry">
        Retry
      </Button>
      <Popconfirm
        title={`Delete ${plural(count)}?`}
        description="Running tasks are cancelled first."
        okText="Delete"
        okButtonProps={{ danger: true, ...testAttrs('confirm-bulk-delete') }}
        onConfirm={() => run('delete')}
      >
        <Button danger icon={<DeleteOutlined />} loading={busy === 'delete'} disabled={busy !== null} data-testid="bulk-delete">
          Delete
        </Button>
      </Popconfirm>
      <Button type="link" onClick={clear} data-testid="bulk-clear">
        Clear selection
      </Button>
    </div>
  );
}
