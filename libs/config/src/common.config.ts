import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { hashTagOf, resolveRedisTarget, type RedisTarget } from './redis-target';
import { ToBool, ToInt } from './transforms';

const DEFAULT_PREFIX = 'taskyard';

/** REDIS_URL (with REDIS_CLUSTER_NODES) must name one server or a cluster's seed nodes. */
function IsRedisTarget(): PropertyDecorator {
  return ValidateBy({
    name: 'isRedisTarget',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'string' && resolveRedisTarget(value, (args?.object as CommonConfig | undefined)?.REDIS_CLUSTER_NODES) !== null,
      defaultMessage: () =>
        'REDIS_URL must be a redis:// or rediss:// URL, or redis+cluster://host:port,host:port (with REDIS_CLUSTER_NODES: a comma-separated host:port list)',
    },
  });
}

/** On Redis Cluster every key of a queue must hash to one slot: the prefix needs a hash tag. */
function HasHashTagOnCluster(): PropertyDecorator {
  return ValidateBy({
    name: 'hasHashTagOnCluster',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const config = args?.object as CommonConfig | undefined;
        const target = config ? resolveRedisTarget(config.REDIS_URL, config.REDIS_CLUSTER_NODES) : null;
        return typeof value !== 'string' || target?.mode !== 'cluster' || hashTagOf(value) !== null;
      },
      defaultMessage: () => 'REDIS_PREFIX must contain a hash tag such as {taskyard} on Redis Cluster (BullMQ scripts touch several keys of a queue at once)',
    },
  });
}

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

  /** One server (`redis://`, `rediss://`) or a cluster (`redis+cluster://host:port,host:port`). */
  @IsRedisTarget()
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Seed nodes (`host:port,...`) of a Redis Cluster; REDIS_URL then gives scheme and credentials. */
  @IsOptional() @IsString()
  REDIS_CLUSTER_NODES?: string;

  /** Prefix of every Redis key and channel; unset: `taskyard`, or `{taskyard}` on Redis Cluster. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_{}.-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, _ . - { }' })
  @HasHashTagOnCluster()
  REDIS_PREFIX?: string;

  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  @ToBool() @IsBoolean()
  EXAMPLES_ENABLED = true;

  @IsOptional() @IsString()
  INSTANCE_ID?: string;

  /** The Redis server or cluster these settings describe. */
  get redis(): RedisTarget {
    const target = resolveRedisTarget(this.REDIS_URL, this.REDIS_CLUSTER_NODES);
    if (!target) throw new Error('REDIS_URL is not valid (loadConfig reports why)');
    return target;
  }

  /** The key and channel prefix in effect: hash-tagged by default on Redis Cluster. */
  get redisPrefix(): string {
    return this.REDIS_PREFIX ?? (this.redis.mode === 'cluster' ? `{${DEFAULT_PREFIX}}` : DEFAULT_PREFIX);
  }
}
