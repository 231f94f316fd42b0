import { TaskStatus, type TaskDto } from '@taskyard/contracts';
import { App } from 'antd';
import { useCallback, useRef, useState } from 'react';
import { describeError } from '../api/client';
import { tasksApi } from '../api/endpoints';
import { downloadArtifact } from '../lib/download';

export type TaskActionKind = 'cancel' | 'retry' | 'delete' | 'download';

export interface TaskActionCallbacks {
  /** The task changed; `updated` is the API's answer when it returned the task. */
  onChanged?: (id: string, updated: TaskDto | null) => void;
  onDeleted?: (id: string) => void;
}

function asTask(value: unknown): TaskDto | null {
  return typeof value === 'object' && value !== null && 'id' in value && 'status' in value ? (value as TaskDto) : null;
}

/** Single-task lifecycle actions with feedback; errors are always shown, never swallowed. */
export function useTaskActions(callbacks: TaskActionCallbacks = {}) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<Record<string, TaskActionKind | undefined>>({});
  // Latest callbacks through a ref: the actions stay the same functions across renders (a
  // table's columns are memoized on them).
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const onChanged = useCallback((id: string, updated: TaskDto | null) => callbacksRef.current.onChanged?.(id, updated), []);
  const onDeleted = useCallback((id: string) => callbacksRef.current.onDeleted?.(id), []);

  const run = useCallback(
    async (id: string, kind: TaskActionKind, action: () => Promise<void>) => {
      setBusy((prev) => ({ ...prev, [id]: kind }));
      try {
        await action();
      } catch (error) {
        message.error(describeError(error));
      } finally {
        setBusy((prev) => ({ ...prev, [id]: undefined }));
      }
    },
    [message],
  );

  const cancel = useCallback(
    (task: TaskDto) =>
      run(task.id, 'cancel', async () => {
        const updated = asTask(await tasksApi.cancel(task.id));
        message.success(
          task.status === TaskStatus.Running ? 'Cancellation requested; the runner is stopping.' : 'Task cancelled.',
        );
        onChanged(task.id, updated);
      }),
    [run, message, onChanged],
  );

  const retry = useCallback(
    (task: TaskDto) =>
      run(task.id, 'retry', async () => {
        const updated = asTask(await tasksApi.retry(task.id));
        message.success('Task queued for retry.');
        onChanged(task.id, updated);
      }),
    [run, message, onChanged],
  );

  const remove = useCallback(
    (task: TaskDto) =>
      run(task.id, 'delete', async () => {
        await tasksApi.remove(task.id);
        message.success('Task deleted.');
        onDeleted(task.id);
      }),
    [run, message, onDeleted],
  );

  const download = useCallback(
    (task: TaskDto) =>
      run(task.id, 'download', async () => {
        await downloadArtifact(task);
      }),
    [run],
  );

  return { busy, cancel, retry, remove, download };
}
