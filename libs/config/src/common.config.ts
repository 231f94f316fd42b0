import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ToBool, ToInt } from './transforms';

/** Settings every process shares: where PostgreSQL and Redis are, and logging. */
export class CommonConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/taskyard';

  /** PostgreSQL schema holding Taskyard's tables (tests use one schema each). */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';

  @ToInt() @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key and channel; use a hash tag such as `{taskyard}` on Redis Cluster. */
  @Matches(/^[A-Za-z0-9_{}.-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, _ . - { }' })
  REDIS_PREFIX = 'taskyard';

  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  @ToBool() @IsBoolean()
  EXAMPLES_ENABLED = true;

  @IsOptional() @IsString()
  INSTANCE_ID?: string;
}
