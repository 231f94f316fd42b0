import type { TaskAttemptDto } from '@taskyard/contracts';
import { api } from './client';

const enc = encodeURIComponent;

/** Operator routes: attempt history, queue and type controls, the fleet. */
export const operationsApi = {
  attempts: (taskId: string, signal?: AbortSignal) => api.get<TaskAttemptDto[]>(`/api/tasks/${enc(taskId)}/attempts`, undefined, signal),
};
