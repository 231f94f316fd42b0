import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  MinusCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { TaskStatus, type TaskDto } from '@taskyard/contracts';
import { Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';

const STATUS_STYLE: Record<TaskStatus, { color: string; label: string; icon: ReactNode }> = {
  [TaskStatus.Pending]: { color: 'default', label: 'Pending', icon: <ClockCircleOutlined /> },
  [TaskStatus.Running]: { color: 'processing', label: 'Running', icon: <SyncOutlined spin /> },
  [TaskStatus.Success]: { color: 'success', label: 'Success', icon: <CheckCircleOutlined /> },
  [TaskStatus.Failed]: { color: 'error', label: 'Failed', icon: <CloseCircleOutlined /> },
  [TaskStatus.Cancelled]: { color: 'warning', label: 'Cancelled', icon: <MinusCircleOutlined /> },
};

export function statusLabel(status: TaskStatus): string {
  return STATUS_STYLE[status]?.label ?? status;
}

export function TaskStatusTag({ task }: { task: Pick<TaskDto, 'status' | 'cancel_requested'> }) {
  const style = STATUS_STYLE[task.status] ?? { color: 'default', label: task.status, icon: null };
  const cancelling = task.cancel_requested && (task.status === TaskStatus.Running || task.status === TaskStatus.Pending);
  const tag = (
    <Tag color={style.color} icon={style.icon} data-testid="task-status-tag" data-status={task.status}>
      {cancelling ? `${style.label} · cancelling` : style.label}
    </Tag>
  );
  return cancelling ? <Tooltip title="Cancellation requested; waiting for the runner to stop">{tag}</Tooltip> : tag;
}
