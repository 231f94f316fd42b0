import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Permission } from '@taskyard/contracts';
import { UnauthenticatedError } from './auth.errors';
import type { AuthRequest, AuthUser, RequestCtx } from './auth.types';

export const AUTH_MODE_KEY = 'taskyard:auth-mode';
export const PERMISSIONS_KEY = 'taskyard:permissions';
export type AuthMode = 'required' | 'optional' | 'public';

/** The route needs no authentication (login, health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_MODE_KEY, 'public' satisfies AuthMode);

/**
 * A Bearer token is checked when present, but the handler also accepts other credentials
 * (a signed file URL, an SSE ticket) and must reject the request itself when it has none.
 */
export const OptionalAuth = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_MODE_KEY, 'optional' satisfies AuthMode);

/** The caller needs every listed permission (403 otherwise). */
export const RequirePermissions = (...permissions: Permission[]): MethodDecorator & ClassDecorator => SetMetadata(PERMISSIONS_KEY, permissions);

/** The authenticated user of the request (401 if there is none). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<AuthRequest>().user;
  if (!user) throw new UnauthenticatedError('authentication required');
  return user;
});

/** The authenticated user (or undefined on `@OptionalAuth()` routes without a token). */
export const MaybeUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<AuthRequest>().user);

/**
 * `{ user, traceId }` of the request: pass it to `TaskService.createTask` so the task records
 * its creator and workers log the request's trace id.
 */
export const ReqCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestCtx => {
  const req = ctx.switchToHttp().getRequest<AuthRequest>();
  if (!req.user) throw new UnauthenticatedError('authentication required');
  return { user: req.user, traceId: req.id };
});
