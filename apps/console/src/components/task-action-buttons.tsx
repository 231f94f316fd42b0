import { DeleteOutlined, DownloadOutlined, EyeOutlined, RedoOutlined, StopOutlined } from '@ant-design/icons';
import type { TaskDto } from '@taskyard/contracts';
import { Button, Popconfirm, Space, Tooltip } from 'antd';
import { Link } from 'react-router-dom';
import { isCancellable, isRetryable, usePermissions } from '../auth/permissions';
import type { TaskActionKind } from '../hooks/use-task-actions';
import { testAttrs } from '../lib/test-attrs';

export interface TaskActionHandlers {
  cancel: (task: TaskDto) => Promise<void>;
  retry: (task: TaskDto) => Promise<void>;
  remove: (task: TaskDto) => Promise<void>;
  download: (task: TaskDto) => Promise<void>;
}

interface TaskActionButtonsProps {
  task: TaskDto;
  actions: TaskActionHandlers;
  busy?: TaskActionKind;
  /** `table`: compact links in a row; `page`: full buttons on the detail page. */
  variant: 'table' | 'page';
}

/** View / Cancel / Retry / Download / Delete, each shown only when the caller may use it. */
export function TaskActionButtons({ task, actions, busy, variant }: TaskActionButtonsProps) {
  const perms = usePermissions();
  const compact = variant === 'table';
  const buttonType = compact ? 'link' : 'default';
  const size = compact ? 'small' : 'middle';
  const disabled = busy !== undefined;

  const showCancel = isCancellable(task) && perms.canCancel(task);
  const cancelPending = task.cancel_requested && (task.status === 'running' || task.status === 'pending');
  const showRetry = isRetryable(task) && perms.canRetry(task);
  const showDelete = perms.canDelete(task);
  const showDownload = Boolean(task.artifact_file_key);

  return (
    <Space size={compact ? 0 : 'small'} wrap>
      {compact && (
        <Link to={`/tasks/${task.id}`} className="ty-row-link" {...testAttrs('task-action-view', { 'task-id': task.id })}>
          <EyeOutlined /> View
        </Link>
      )}
      {showCancel && (
        <Button
          type={buttonType}
          size={size}
          danger={!compact}
          icon={<StopOutlined />}
          loading={busy === 'cancel'}
          disabled={disabled}
          onClick={() => void actions.cancel(task)}
          {...testAttrs('task-action-cancel', { 'task-id': task.id })}
        >
          Cancel
        </Button>
      )}
      {cancelPending && !compact && (
        <Tooltip title="The runner has been asked to stop">
          <Button size={size} icon={<StopOutlined />} disabled>
            Cancelling…
          </Button>
        </Tooltip>
      )}
      {showRetry && (
        <Button
          type={buttonType}
          size={size}
          icon={<RedoOutlined />}
          loading={busy === 'retry'}
          disabled={disabled}
          onClick={() => void actions.retry(task)}
          {...testAttrs('task-action-retry', { 'task-id': task.id })}
        >
          Retry
        </Button>
      )}
      {showDownload && (
        <Button
          type={compact ? 'link' : 'primary'}
          size={size}
          icon={<DownloadOutlined />}
          loading={busy === 'download'}
          disabled={disabled}
          onClick={() => void actions.download(task)}
          title={task.artifact_file_name ?? undefined}
          {...testAttrs('task-action-download', { 'task-id': task.id })}
        >
          Download
        </Button>
      )}
      {showDelete && (
        <Popconfirm
          title="Delete this task?"
          description={task.status === 'running' ? 'It is running: it will be cancelled first.' : 'It disappears from every list.'}
          okText="Delete"
          okButtonProps={{ danger: true, ...testAttrs('confirm-delete') }}
          onConfirm={() => void actions.remove(task)}
        >
          <Button
            type={buttonType}
            size={size}
            danger
            icon={<DeleteOutlined />}
            loading={busy === 'delete'}
            disabled={disabled}
            {...testAttrs('task-action-delete', { 'task-id': task.id })}
          >
            Delete
          </Button>
        </Popconfirm>
      )}
    </Space>
  );
}
