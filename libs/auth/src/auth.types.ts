import type { FastifyRequest } from 'fastify';

/** A role as the API returns it. */
export interface RoleDto {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/** A user as the API returns it (never the password hash). */
export interface UserDto {
  id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  status: 'active' | 'disabled';
  roles: RoleDto[];
  created_at: string;
  updated_at: string;
}

/** The authenticated caller: a user with the union of their roles' permissions. */
export interface AuthUser extends UserDto {
  permissions: string[];
}

export interface LoginResultDto {
  token: string;
  expires_at: string;
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
