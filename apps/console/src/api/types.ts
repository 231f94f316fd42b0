import type { TaskCategory, TaskStatus } from '@taskyard/contracts';

/*
 * Shapes the console reads that `@taskyard/contracts` does not (yet) describe: users, roles,
 * the login answer and query objects. Kept lenient where the spec leaves a field open.
 */

/** A role's permission, as EZ-Console's profile carries it. */
export interface PermissionRef {
  code: string;
  name?: string;
}

export interface RoleDto {
  id: string;
  name: string;
  description?: string | null;
  permissions?: PermissionRef[];
}

/** Roles arrive either as objects or as bare role names. */
export type RoleRef = RoleDto | string;

export interface UserDto {
  id: string;
  username: string;
  email?: string | null;
  full_name?: string | null;
  status?: string | null;
  roles?: RoleRef[];
  created_at?: string | null;
  updated_at?: string | null;
  last_login_at?: string | null;
}

export interface ProfileDto extends UserDto {
  roles: RoleRef[];
  permissions: string[];
}

export interface LoginResultDto {
  token: string;
  expires_at: string | null;
  user: UserDto;
}

/** `?method=sign`: EZ-Console's `{signature, expires}` (unix seconds) plus the ready-made `url`. */
export interface SignedUrlDto {
  signature: string;
  expires: number;
  url: string;
}

export interface EventsTicketDto {
  ticket: string;
}

/** Value of a task setting: its JSON type follows the field's `value_type`. */
export type SettingValue = number | boolean | string;
export type TaskSettingsMap = Record<string, SettingValue>;

export type SortOrder = 'asc' | 'desc';

export interface TaskListQuery {
  current: number;
  page_size: number;
  search?: string;
  status?: TaskStatus;
  type?: string;
  category?: TaskCategory;
  creator_id?: string;
  created_from?: string;
  created_to?: string;
  /** `<field>` ascending or `-<field>` descending, e.g. `-created_at`. */
  sort?: string;
}

export interface UserListQuery {
  current: number;
  page_size: number;
  keywords?: string;
  status?: string;
}

export interface ExampleReportRequest {
  steps: number;
  step_ms: number;
  fail_at_step?: number;
  fail_attempts?: number;
  max_retries?: number;
}

export function roleName(role: RoleRef): string {
  return typeof role === 'string' ? role : role.name;
}
