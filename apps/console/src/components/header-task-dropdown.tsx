import { DownloadOutlined, ReloadOutlined, UnorderedListOutlined } from '@ant-design/icons';
import type { TaskDto } from '@taskyard/contracts';
import { Alert, Badge, Button, Empty, Popover, Spin, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { describeError } from '../api/client';
import { useTaskActions } from '../hooks/use-task-actions';
import { formatRelative } from '../lib/format';
import { isActive } from '../lib/task-events';
import { testAttrs } from '../lib/test-attrs';
import { useSite } from '../site/site-context';
import { TaskProgress } from './task-progress';
import { TaskStatusTag } from './task-status-tag';

function DropdownItem({ task, onNavigate }: { task: TaskDto; onNavigate: () => void }) {
  const { busy, download } = useTaskActions();
  const detail = task.error ?? task.progress_message;
  return (
    <div className="ty-dropdown-item" {...testAttrs('task-dropdown-item', { 'task-id': task.id, status: task.status })}>
      <div className="ty-dropdown-item-head">
        <Link to={`/tasks/${task.id}`} onClick={onNavigate} className="ty-dropdown-item-title">
          {task.type}
        </Link>
        <TaskStatusTag task={task} />
      </div>
      {(isActive(task) || task.progress > 0) && <TaskProgress task={task} testId="task-dropdown-progress" />}
      {detail && (
        <Typography.Text
          type={task.error ? 'danger' : 'secondary'}
          ellipsis={{ tooltip: detail }}
          className="ty-dropdown-item-message"
        >
          {detail}
        </Typography.Text>
      )}
      <div className="ty-dropdown-item-meta">
        <Typography.Text type="secondary" className="ty-dropdown-item-time" data-testid="task-dropdown-time">
          {formatRelative(task.created_at)}
        </Typography.Text>
        {task.artifact_file_key && (
          <Button
            size="small"
            type="link"
            icon={<DownloadOutlined />}
            loading={busy[task.id] === 'download'}
            onClick={() => void download(task)}
            title={task.artifact_file_name ?? undefined}
            className="ty-dropdown-item-download"
            {...testAttrs('task-dropdown-download', { 'task-id': task.id })}
          >
            <span className="ty-ellipsis">{task.artifact_file_name ?? 'Download'}</span>
          </Button>
        )}
      </div>
    </div>
  );
}

/** Header button + panel with the caller's recent user tasks, updated live. */
export function HeaderTaskDropdown() {
  const { recentTasks, loading, error, dropdownOpen, setDropdownOpen, refreshRecentTasks, streamState } = useSite();
  const activeCount = recentTasks.filter(isActive).length;
  const close = () => setDropdownOpen(false);

  const panel = (
    <div className="ty-dropdown-panel" data-testid="task-dropdown-panel">
      <div className="ty-dropdown-header">
        <Typography.Text strong>My recent tasks</Typography.Text>
        <span>
          <Tooltip title={streamState === 'open' ? 'Live updates' : 'Live stream unavailable: refreshing periodically'}>
            <Badge status={streamState === 'open' ? 'success' : 'default'} text={streamState === 'open' ? 'Live' : 'Polling'} />
          </Tooltip>
          <Button
            type="text"
            size="small"
            icon={<ReloadOutlined />}
            aria-label="Refresh recent tasks"
            onClick={() => void refreshRecentTasks()}
          />
        </span>
      </div>
      <div className="ty-dropdown-body">
        {error !== null && (
          <Alert type="error" showIcon title="Could not load your tasks" description={describeError(error)} style={{ margin: 8 }} />
        )}
        {loading && recentTasks.length === 0 ? (
          <div className="ty-center-pad">
            <Spin />
          </div>
        ) : recentTasks.length === 0 ? (
          error === null && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No recent tasks" data-testid="task-dropdown-empty" />
        ) : (
          recentTasks.map((task) => <DropdownItem key={task.id} task={task} onNavigate={close} />)
        )}
      </div>
      <div className="ty-dropdown-footer">
        <Link to="/tasks" onClick={close}>
          View all tasks
        </Link>
      </div>
    </div>
  );

  return (
    <Popover
      content={panel}
      trigger="click"
      placement="bottomRight"
      open={dropdownOpen}
      onOpenChange={setDropdownOpen}
      arrow={false}
      styles={{ container: { padding: 0 } }}
    >
      <Button type="text" aria-label="Recent tasks" aria-expanded={dropdownOpen} data-testid="task-dropdown-trigger">
        <Badge count={activeCount} size="small" offset={[4, -2]} data-testid="task-dropdown-count">
          <UnorderedListOutlined style={{ fontSize: 18 }} />
        </Badge>
        <span className="ty-hide-narrow">Tasks</span>
      </Button>
    </Popover>
  );
}
