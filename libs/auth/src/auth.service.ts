import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { InvalidCredentialsError, UnauthenticatedError } from './auth.errors';
import { AUTH_OPTIONS, AUTH_REDIS, type AuthModuleOptions } from './auth.options';
import type { AuthSession, AuthUser, LoginResultDto } from './auth.types';
import { InvalidTokenError, signJwt, verifyJwt } from './jwt';
import { LoginThrottle } from './login-throttle';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password';
import { ActiveUserCache } from './user-cache';
import { UsersService } from './users.service';

/** Logs users in (issuing access tokens) and resolves tokens to users. */
@Injectable()
export class AuthService {
  private readonly throttle: LoginThrottle;
  private readonly activeUsers: ActiveUserCache;

  constructor(
    private readonly users: UsersService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    @Inject(AUTH_REDIS) redis: Redis | Cluster,
  ) {
    this.throttle = new LoginThrottle(redis, options.redisKeyPrefix, options.loginLimits);
    this.activeUsers = new ActiveUserCache((id) => users.findActive(id), options.userCacheMs);
  }

  async login(username: string, password: string, clientIp: string): Promise<LoginResultDto> {
    // Refused before the user lookup and the password hash when a limit is reached; otherwise
    // the attempt already counts as a failure, taken back below if it succeeds.
    await this.throttle.begin(clientIp, username);
    const found = await this.users.findForLogin(username);
    // Compare against a dummy hash for unknown users so response time does not reveal them.
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found || !ok) throw new InvalidCredentialsError();
    await this.throttle.succeeded(clientIp, username);
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.tokenTtlSeconds;
    const user = await this.users.recordLogin(found.user);
    const token = signJwt({ sub: user.id, iat: now, nbf: now, exp }, this.options.jwtSecret);
    return { token, expires_at: new Date(exp * 1000).toISOString(), needs_mfa: false, password_expired: false, user };
  }

  /**
   * The active user a Bearer token stands for; 401 for anything else. The user and their
   * permissions may be up to `userCacheMs` old (see {@link ActiveUserCache}).
   */
  async authenticate(token: string): Promise<AuthUser> {
    return (await this.session(token)).user;
  }

  /** The active user of a Bearer token and when the token stops being valid; 401 otherwise. */
  async session(token: string): Promise<AuthSession> {
    let claims: { sub: string; exp: number };
    try {
      claims = verifyJwt(token, this.options.jwtSecret);
    } catch (err) {
      throw new UnauthenticatedError(err instanceof InvalidTokenError ? err.message : 'invalid token');
    }
    const user = await this.activeUsers.get(claims.sub);
    if (!user) throw new UnauthenticatedError('user not found or disabled');
    return { user, expiresAt: claims.exp * 1000 };
  }
}
