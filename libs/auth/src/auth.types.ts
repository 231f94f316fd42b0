import type { FastifyRequest } from 'fastify';

/** A permission as EZ-Console's profile carries it: `code` is the permission code (spec §5). */
export interface PermissionDto {
  id: string;
  code: string;
  name: string;
  description: string;
  org_permission: boolean;
  created_at: string;
  updated_at: string;
}

/** EZ-Console's IAM-style policy; Taskyard grants by `permissions` only, so it is empty. */
export interface PolicyDocumentDto {
  Statement: { Effect: string; Action: string[]; Resource?: string[] }[];
}

/** A role as the API returns it (EZ-Console's `model.Role`). */
export interface RoleDto {
  id: string;
  name: string;
  description: string;
  permissions: PermissionDto[];
  /** `system` for the built-in roles. */
  role_type: string;
  policy_document: PolicyDocumentDto;
  created_at: string;
  updated_at: string;
}

/**
 * A user as the API returns it (EZ-Console's `model.User`; never the password hash). Taskyard
 * has no MFA, no password change route and only local users: those fields say so.
 */
export interface UserDto {
  id: string;
  username: string;
  email: string;
  full_name: string;
  status: 'active' | 'disabled';
  roles: RoleDto[];
  source: 'local';
  mfa_enabled: boolean;
  mfa_enforced: boolean;
  disable_change_password: boolean;
  /** Absent until the user first logs in. */
  last_login?: string;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

/** The authenticated caller: a user with the union of their roles' permission codes. */
export interface AuthUser extends UserDto {
  permissions: string[];
}

export interface LoginResultDto {
  token: string;
  expires_at: string;
  /** Always false: Taskyard has no second factor. */
  needs_mfa: boolean;
  /** Always false: Taskyard has no password expiry. */
  password_expired: boolean;
  user: AuthUser;
}

/** An authenticated caller and when their credential (token) expires, in epoch ms. */
export interface AuthSession {
  user: AuthUser;
  expiresAt: number;
}

/**
 * A Fastify request after the auth guard ran; `id` is the request's trace id and
 * `tokenExpiresAt` the epoch ms at which the Bearer token expires.
 */
export type AuthRequest = FastifyRequest & { user?: AuthUser; tokenExpiresAt?: number };

/**
 * Who is asking, as handed to services (structurally a tasks `TaskContext`): the
 * authenticated user and the request's trace id, which workers log with the task.
 */
export interface RequestCtx {
  user: AuthUser;
  traceId: string;
}

export function hasPermission(user: Pick<AuthUser, 'permissions'>, permission: string): boolean {
  return user.permissions.includes(permission);
}
