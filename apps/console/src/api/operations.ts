import type { FleetDto, QueueDto, RateLimitDto, TaskAttemptDto } from '@taskyard/contracts';
import { api } from './client';

const enc = encodeURIComponent;

/** Operator routes: attempt history, queue and type controls, the fleet. */
export const operationsApi = {
  attempts: (taskId: string, signal?: AbortSignal) => api.get<TaskAttemptDto[]>(`/api/tasks/${enc(taskId)}/attempts`, undefined, signal),
  queues: (signal?: AbortSignal) => api.get<QueueDto[]>('/api/system/queues', undefined, signal),
  pauseQueue: (name: string, paused: boolean) => api.post<QueueDto[]>(`/api/system/queues/${enc(name)}/${paused ? 'pause' : 'resume'}`),
  pauseType: (type: string, paused: boolean) => api.post<QueueDto[]>(`/api/system/task-types/${enc(type)}/${paused ? 'pause' : 'resume'}`),
  setRateLimit: (type: string, limit: RateLimitDto) => api.put<QueueDto[]>(`/api/system/task-types/${enc(type)}/rate-limit`, limit),
  clearRateLimit: (type: string) => api.delete<QueueDto[]>(`/api/system/task-types/${enc(type)}/rate-limit`),
  fleet: (signal?: AbortSignal) => api.get<FleetDto>('/api/system/fleet', undefined, signal),
};
