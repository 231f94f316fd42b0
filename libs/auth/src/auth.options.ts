import type { InjectionToken } from '@nestjs/common';
import type { LoginLimits } from './login-throttle';

/** Configuration of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions {
  /** HMAC secret of access tokens. */
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** Bootstrap admin created on start when no user exists; a random password when unset. */
  admin: { username: string; password?: string };
  /** Failed-login limits (per address + username, per username, per address) before 429. */
  loginLimits: LoginLimits;
  /**
   * Lifetime in ms (0-2000) of the per-process cache of authenticated users: how long a disabled
   * user or a removed role may still pass after the change. 0 looks the user up on every request.
   */
  userCacheMs: number;
  /** Injection token of an ioredis connection for plain commands. */
  redis: InjectionToken;
  /** Prefix of the Redis keys this module writes. */
  redisKeyPrefix: string;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export const AUTH_REDIS = Symbol('AUTH_REDIS');
