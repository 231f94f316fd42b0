/** Permission codes of the REST contract (spec §5). Persisted in role definitions. */
export const Permission = {
  TaskList: 'task:list',
  TaskView: 'task:view',
  TaskCancel: 'task:cancel',
  TaskRetry: 'task:retry',
  TaskDelete: 'task:delete',
  TaskScheduleList: 'task:schedule:list',
  TaskScheduleUpdate: 'task:schedule:update',
  /** Queues and task types with their pause state and rate limits. */
  TaskQueueView: 'task:queue:view',
  /** Pause and resume queues and task types, set rate limits. */
  TaskQueueUpdate: 'task:queue:update',
  /** The live fleet: workers and schedulers. */
  FleetView: 'system:fleet:view',
  SettingsView: 'system:settings:view',
  SettingsUpdate: 'system:settings:update',
  UserList: 'authorization:user:list',
  UserCreate: 'authorization:user:create',
  UserExport: 'authorization:user:export',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

/** Display names of the permission codes (the `name` of a permission object in a profile). */
export const PERMISSION_NAMES: Readonly<Record<Permission, string>> = {
  'task:list': 'List tasks',
  'task:view': 'View tasks',
  'task:cancel': 'Cancel tasks',
  'task:retry': 'Retry tasks',
  'task:delete': 'Delete tasks',
  'task:schedule:list': 'List scheduled tasks',
  'task:schedule:update': 'Enable, disable and trigger scheduled tasks',
  'task:queue:view': 'View queues and task types',
  'task:queue:update': 'Pause, resume and rate-limit queues and task types',
  'system:fleet:view': 'View workers and schedulers',
  'system:settings:view': 'View task settings',
  'system:settings:update': 'Change task settings',
  'authorization:user:list': 'List users',
  'authorization:user:create': 'Create users',
  'authorization:user:export': 'Export users',
};
