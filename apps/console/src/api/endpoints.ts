import type {
  BulkResultDto,
  LogStorageBackendDto,
  ScheduleDto,
  TaskDto,
  TaskLogDto,
  TaskSettingFieldDto,
} from '@taskyard/contracts';
import { api, apiList, apiRequest, type Page, type Query } from './client';
import type {
  EventsTicketDto,
  ExampleReportRequest,
  LoginResultDto,
  ProfileDto,
  SignedUrlDto,
  TaskListQuery,
  TaskSettingsMap,
  UserDto,
  UserListQuery,
} from './types';

const enc = encodeURIComponent;

export const authApi = {
  login: (username: string, password: string) =>
    apiRequest<LoginResultDto>('POST', '/api/authorization/auth/login', {
      body: { username, password },
      anonymous: true,
    }),
  profile: () => api.get<ProfileDto>('/api/authorization/profile'),
};

export type BulkAction = 'cancel' | 'retry' | 'delete';

export const tasksApi = {
  list: (query: TaskListQuery, signal?: AbortSignal) => apiList<TaskDto>('/api/tasks', { ...query }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<TaskDto>(`/api/tasks/${enc(id)}`, undefined, signal),
  logs: (id: string, params: { after?: string; limit?: number }, signal?: AbortSignal) =>
    api.get<TaskLogDto[]>(`/api/tasks/${enc(id)}/logs`, params, signal),
  cancel: (id: string) => api.post<TaskDto | null>(`/api/tasks/${enc(id)}/cancel`),
  retry: (id: string) => api.post<TaskDto | null>(`/api/tasks/${enc(id)}/retry`),
  remove: (id: string) => api.delete<unknown>(`/api/tasks/${enc(id)}`),
  bulk: (action: BulkAction, ids: string[]) => api.post<BulkResultDto[]>(`/api/tasks/bulk/${action}`, { ids }),
  userTasks: (signal?: AbortSignal) => api.get<TaskDto[]>('/api/user-tasks', undefined, signal),
  eventsTicket: () => api.post<EventsTicketDto>('/api/tasks/events/ticket'),
};

export const filesApi = {
  sign: (fileKey: string) => api.get<SignedUrlDto>(`/api/files/${enc(fileKey)}`, { method: 'sign' }),
};

export const schedulesApi = {
  list: (signal?: AbortSignal) => api.get<ScheduleDto[]>('/api/task-schedules', undefined, signal),
  history: (id: string, query: { current: number; page_size: number }, signal?: AbortSignal) =>
    apiList<TaskDto>(`/api/task-schedules/${enc(id)}/history`, query, signal),
  toggle: (id: string, enabled: boolean) => api.post<ScheduleDto | null>(`/api/task-schedules/${enc(id)}/toggle`, { enabled }),
  trigger: (id: string) => api.post<TaskDto | null>(`/api/task-schedules/${enc(id)}/trigger`),
};

export const settingsApi = {
  get: (signal?: AbortSignal) => api.get<TaskSettingsMap>('/api/system/task-settings', undefined, signal),
  update: (values: TaskSettingsMap) => api.put<{ message: string; settings?: TaskSettingsMap } | null>('/api/system/task-settings', values),
  fields: (signal?: AbortSignal) => api.get<TaskSettingFieldDto[]>('/api/system/task-settings/fields', undefined, signal),
  logStorageBackends: (signal?: AbortSignal) =>
    api.get<LogStorageBackendDto[]>('/api/system/task-settings/log-storage-backends', undefined, signal),
};

export const usersApi = {
  list: (query: UserListQuery, signal?: AbortSignal): Promise<Page<UserDto>> =>
    apiList<UserDto>('/api/authorization/users', { ...query } satisfies Query, signal),
  export: (filters: { keywords?: string; status?: string }) => api.post<TaskDto>('/api/authorization/users/export', filters),
};

export const examplesApi = {
  startReport: (request: ExampleReportRequest) => api.post<TaskDto>('/api/examples/reports', request),
};
