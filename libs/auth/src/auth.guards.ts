import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from './auth.errors';
import { AUTH_MODE_KEY, PERMISSIONS_KEY, type AuthMode } from './auth.decorators';
import { AuthService } from './auth.service';
import { hasPermission, type AuthRequest } from './auth.types';

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

/** Global guard: every route needs a valid Bearer token unless marked `@Public()`/`@OptionalAuth()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [context.getHandler(), context.getClass()]) ?? 'required';
    if (mode === 'public') return true;
    const req = context.switchToHttp().getRequest<AuthRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      if (mode === 'optional') return true;
      throw new UnauthenticatedError('authentication required');
    }
    const session = await this.auth.session(token);
    req.user = session.user;
    req.tokenExpiresAt = session.expiresAt;
    return true;
  }
}

/** Global guard after {@link JwtAuthGuard}: enforces `@RequirePermissions(...)`. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const required = this.reflector.getAllAndOverride<string[] | undefined>(PERMISSIONS_KEY, [context.getHandler(), context.getClass()]) ?? [];
    if (required.length === 0) return true;
    const user = context.switchToHttp().getRequest<AuthRequest>().user;
    if (!user) throw new UnauthenticatedError('authentication required');
    const missing = required.filter((p) => !hasPermission(user, p));
    if (missing.length) throw new ForbiddenError(`missing permission: ${missing.join(', ')}`);
    return true;
  }
}
