import type { TaskDto } from '@taskyard/contracts';
import { App } from 'antd';
import { Link } from 'react-router-dom';
import { isCancellable, isRetryable, type PermissionChecks } from '../../auth/permissions';
import type { TaskActionHandlers } from '../../components/task-action-buttons';
import { statusLabel } from '../../components/task-status-tag';
import type { TaskActionKind } from '../../hooks/use-task-actions';
import { clampProgress } from '../../lib/task-events';
import { testAttrs } from '../../lib/test-attrs';

/*
 * The list's cells are plain elements styled like antd's Tag, Progress and link buttons: a
 * hundred rows of those components (each with its own style hooks, tooltips and popovers)
 * took about a second of scripting to render; these take a few milliseconds each.
 */

export function RowStatus({ task }: { task: Pick<TaskDto, 'status' | 'cancel_requested'> }) {
  const cancelling = task.cancel_requested && (task.status === 'running' || task.status === 'pending');
  return (
    <span className={`ty-status ty-status-${task.status}`} data-testid="task-status-tag" data-status={task.status} title={cancelling ? 'Cancellation requested; waiting for the runner to stop' : undefined}>
      {cancelling ? `${statusLabel(task.status)} · cancelling` : statusLabel(task.status)}
    </span>
  );
}

export function RowProgress({ task }: { task: Pick<TaskDto, 'status' | 'progress'> }) {
  const percent = clampProgress(task.progress);
  return (
    <div className="ty-bar" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} aria-label={`Progress ${percent}%`} data-testid="task-row-progress" data-progress={String(percent)}>
      <div className={`ty-bar-track ty-bar-${task.status}`}>
        <div className="ty-bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="ty-bar-text">{percent}%</span>
    </div>
  );
}

interface RowActionsProps {
  task: TaskDto;
  perms: PermissionChecks;
  actions: TaskActionHandlers;
  busy: TaskActionKind | undefined;
}

/** View / Cancel / Retry / Download / Delete as text links; Delete asks first (one shared dialog). */
export function RowActions({ task, perms, actions, busy }: RowActionsProps) {
  const { modal } = App.useApp();
  const disabled = busy !== undefined;
  const confirmDelete = () =>
    void modal.confirm({
      title: 'Delete this task?',
      content: task.status === 'running' ? 'It is running: it will be cancelled first.' : 'It disappears from every list.',
      okText: 'Delete',
      okButtonProps: { danger: true, ...testAttrs('confirm-delete') },
      onOk: () => actions.remove(task),
    });
  const button = (kind: TaskActionKind, text: string, onClick: () => void, danger = false) => (
    <button type="button" className={`ty-action${danger ? ' ty-action-danger' : ''}`} disabled={disabled} aria-busy={busy === kind} onClick={onClick} {...testAttrs(`task-action-${kind}`, { 'task-id': task.id })}>
      {busy === kind ? `${text}…` : text}
    </button>
  );
  return (
    <div className="ty-actions">
      <Link to={`/tasks/${task.id}`} className="ty-action" {...testAttrs('task-action-view', { 'task-id': task.id })}>
        View
      </Link>
      {isCancellable(task) && perms.canCancel(task) && button('cancel', 'Cancel', () => void actions.cancel(task))}
      {isRetryable(task) && perms.canRetry(task) && button('retry', 'Retry', () => void actions.retry(task))}
      {task.artifact_file_key && button('download', 'Download', () => void actions.download(task))}
      {perms.canDelete(task) && button('delete', 'Delete', confirmDelete, true)}
    </div>
  );
}
