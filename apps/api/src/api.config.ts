import { ToInt, ToList } from '@taskyard/config';
import { TasksConfig } from '@taskyard/tasks';
import { IsArray, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** Development-only signing secret; refused when NODE_ENV=production (see checkApiConfig). */
const DEV_JWT_SECRET = 'taskyard-dev-secret-not-for-production';

export class ApiConfig extends TasksConfig {
  @ToInt() @IsInt() @Min(0) @Max(65535)
  API_PORT = 3000;

  @IsString()
  API_HOST = '0.0.0.0';

  /** Largest accepted request body (bytes); larger bodies get 413. */
  @ToInt() @IsInt() @Min(1024) @Max(64 * 1024 * 1024)
  API_BODY_LIMIT_BYTES = 1024 * 1024;

  /** Deepest nesting of objects and arrays accepted in a JSON body; deeper bodies get 400 `E4006`. */
  @ToInt() @IsInt() @Min(2) @Max(1_000)
  API_JSON_MAX_DEPTH = 32;

  /** Origins allowed to call the API cross-origin; empty (default) means same-origin only. */
  @IsOptional() @ToList() @IsArray() @IsString({ each: true })
  CORS_ORIGINS?: string[];

  /** HMAC secret of access tokens and signed file URLs; required in production. */
  @IsOptional() @IsString() @MinLength(16)
  JWT_SECRET?: string;

  /** Lifetime of an access token. */
  @ToInt() @IsInt() @Min(60) @Max(30 * 24 * 3600)
  JWT_TTL_SECONDS = 12 * 3600;

  /** Failed logins per client IP and username within LOGIN_WINDOW_SECONDS before 429. */
  @ToInt() @IsInt() @Min(1)
  LOGIN_MAX_FAILURES = 10;

  @ToInt() @IsInt() @Min(1)
  LOGIN_WINDOW_SECONDS = 300;

  /**
   * How long (ms) an api process reuses an authenticated user's roles and permissions: a disabled
   * user or a removed role takes effect at most this long after the change. 0 reads them per request.
   */
  @ToInt() @IsInt() @Min(0) @Max(2_000)
  AUTH_USER_CACHE_MS = 1_000;

  /** Failed logins per username from every address within the (short) window before 429. */
  @ToInt() @IsInt() @Min(1)
  LOGIN_ACCOUNT_MAX_FAILURES = 20;

  @ToInt() @IsInt() @Min(1) @Max(3600)
  LOGIN_ACCOUNT_WINDOW_SECONDS = 60;

  /** Failed logins per client IP for every username within the window before 429. */
  @ToInt() @IsInt() @Min(1)
  LOGIN_ADDRESS_MAX_FAILURES = 30;

  @ToInt() @IsInt() @Min(1) @Max(3600)
  LOGIN_ADDRESS_WINDOW_SECONDS = 300;

  /** An address a user logged in from is exempt from the account and address limits this long. */
  @ToInt() @IsInt() @Min(0) @Max(365)
  LOGIN_KNOWN_ADDRESS_DAYS = 30;

  /** Lifetime of a signed artifact download URL. */
  @ToInt() @IsInt() @Min(10) @Max(24 * 3600)
  FILE_URL_TTL_SECONDS = 300;

  /** Comment line sent on idle SSE streams so proxies keep them open. */
  @ToInt() @IsInt() @Min(1_000)
  SSE_HEARTBEAT_MS = 15_000;

  /** How often open SSE streams re-read their users (disabled users and lost roles take effect). */
  @ToInt() @IsInt() @Min(100) @Max(60_000)
  SSE_ACCESS_RECHECK_MS = 2_000;

  /** Open SSE streams one user may hold across every api replica; beyond it 429 `E4291`. */
  @ToInt() @IsInt() @Min(1) @Max(10_000)
  SSE_MAX_STREAMS_PER_USER = 16;

  /** Built console served at `/` (default: apps/console/dist of the repository). */
  @IsOptional() @IsString()
  CONSOLE_DIST_DIR?: string;

  @IsString()
  ADMIN_USERNAME = 'admin';

  @IsOptional() @IsString() @MinLength(8)
  ADMIN_PASSWORD?: string;

  get jwtSecret(): string {
    return this.JWT_SECRET ?? DEV_JWT_SECRET;
  }
}

export function checkApiConfig(config: ApiConfig): string[] {
  return config.NODE_ENV === 'production' && !config.JWT_SECRET ? ['JWT_SECRET: required when NODE_ENV=production'] : [];
}
