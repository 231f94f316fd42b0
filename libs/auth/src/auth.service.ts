import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { InvalidCredentialsError, UnauthenticatedError } from './auth.errors';
import { AUTH_OPTIONS, AUTH_REDIS, type AuthModuleOptions } from './auth.options';
import type { AuthUser, LoginResultDto } from './auth.types';
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
    this.throttle = new LoginThrottle(redis, options.redisKeyPrefix, options.loginMaxFailures, options.loginWindowSeconds);
    this.activeUsers = new ActiveUserCache((id) => users.findActive(id), options.userCacheMs);
  }

  async login(username: string, password: string, clientIp: string): Promise<LoginResultDto> {
    await this.throttle.check(clientIp, username);
    const found = await this.users.findForLogin(username);
    // Compare against a dummy hash for unknown users so response time does not reveal them.
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found || !ok) {
      await this.throttle.failed(clientIp, username);
      throw new InvalidCredentialsError();
    }
    await this.throttle.succeeded(clientIp, username);
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.tokenTtlSeconds;
    return { token: signJwt({ sub: found.user.id, iat: now, nbf: now, exp }, this.options.jwtSecret), expires_at: new Date(exp * 1000).toISOString(), user: found.user };
  }

  /**
   * The active user a Bearer token stands for; 401 for anything else. The user and their
   * permissions may be up to `userCacheMs` old (see {@link ActiveUserCache}).
   */
  async authenticate(token: string): Promise<AuthUser> {
    let sub: string;
    try {
      sub = verifyJwt(token, this.options.jwtSecret).sub;
    } catch (err) {
      throw new UnauthenticatedError(err instanceof InvalidTokenError ? err.message : 'invalid token');
    }
    const user = await this.activeUsers.get(sub);
    if (!user) throw new UnauthenticatedError('user not found or disabled');
    return user;
  }
}
