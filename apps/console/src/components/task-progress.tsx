import { TaskStatus, type TaskDto } from '@taskyard/contracts';
import { Progress, type ProgressProps } from 'antd';
import { clampProgress } from '../lib/task-events';

function progressStatus(status: TaskStatus): ProgressProps['status'] {
  switch (status) {
    case TaskStatus.Running:
      return 'active';
    case TaskStatus.Success:
      return 'success';
    case TaskStatus.Failed:
      return 'exception';
    case TaskStatus.Pending:
    case TaskStatus.Cancelled:
      return 'normal';
  }
}

interface TaskProgressProps {
  task: Pick<TaskDto, 'status' | 'progress'>;
  size?: ProgressProps['size'];
  testId?: string;
}

export function TaskProgress({ task, size = 'small', testId = 'task-progress' }: TaskProgressProps) {
  const percent = clampProgress(task.progress);
  return (
    <Progress
      percent={percent}
      status={progressStatus(task.status)}
      size={size}
      data-testid={testId}
      data-progress={String(percent)}
      aria-label={`Progress ${percent}%`}
    />
  );
}
