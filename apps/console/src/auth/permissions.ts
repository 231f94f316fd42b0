import { Permission, TaskStatus, type TaskDto } from '@taskyard/contracts';
import { useMemo } from 'react';
import type { ProfileDto } from '../api/types';
import { useProfile } from './auth-context';

type TaskAction = typeof Permission.TaskCancel | typeof Permission.TaskRetry | typeof Permission.TaskDelete;

export interface PermissionChecks {
  userId: string;
  /** The caller holds the global permission code. */
  can: (permission: Permission) => boolean;
  /** Global permission, or the caller created the task (spec §5: own tasks need no grant). */
  canOnTask: (permission: TaskAction, task: Pick<TaskDto, 'creator_id'>) => boolean;
  canCancel: (task: TaskDto) => boolean;
  canRetry: (task: TaskDto) => boolean;
  canDelete: (task: TaskDto) => boolean;
}

export function isCancellable(task: Pick<TaskDto, 'status' | 'cancel_requested'>): boolean {
  return (task.status === TaskStatus.Pending || task.status === TaskStatus.Running) && !task.cancel_requested;
}

export function isRetryable(task: Pick<TaskDto, 'status'>): boolean {
  return task.status === TaskStatus.Failed || task.status === TaskStatus.Cancelled;
}

export function permissionChecks(profile: ProfileDto): PermissionChecks {
  const granted = new Set(profile.permissions);
  const can = (permission: Permission) => granted.has(permission);
  const canOnTask = (permission: TaskAction, task: Pick<TaskDto, 'creator_id'>) =>
    can(permission) || task.creator_id === profile.id;
  return {
    userId: profile.id,
    can,
    canOnTask,
    canCancel: (task) => isCancellable(task) && canOnTask(Permission.TaskCancel, task),
    canRetry: (task) => isRetryable(task) && canOnTask(Permission.TaskRetry, task),
    canDelete: (task) => canOnTask(Permission.TaskDelete, task),
  };
}

export function usePermissions(): PermissionChecks {
  const profile = useProfile();
  return useMemo(() => permissionChecks(profile), [profile]);
}
