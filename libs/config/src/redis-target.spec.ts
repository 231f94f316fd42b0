import { CommonConfig } from './common.config';
import { ConfigError, loadConfig } from './load-config';
import { hashTagOf, resolveRedisTarget } from './redis-target';

describe('Redis target', () => {
  it('keeps a plain URL as one server', () => {
    expect(resolveRedisTarget('rediss://:pw@cache:6380/2')).toEqual({ mode: 'standalone', url: 'rediss://:pw@cache:6380/2' });
  });

  it('reads a redis+cluster URL as seed nodes with its credentials and TLS', () => {
    expect(resolveRedisTarget('rediss+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
  });

  it('takes REDIS_CLUSTER_NODES as the nodes and the URL for credentials', () => {
    expect(resolveRedisTarget('redis://:secret@ignored:6379', 'a:7000, b:7001')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      password: 'secret',
      tls: false,
    });
  });

  it.each([['http://x:1'], ['redis+cluster://'], ['redis+cluster://a:0'], ['redis+cluster://a']])('refuses %s', (url) => {
    expect(resolveRedisTarget(url)).toBeNull();
  });

  it('finds the hash tag Redis Cluster hashes', () => {
    expect(hashTagOf('{taskyard}')).toBe('taskyard');
    expect(hashTagOf('app-{ty}-x')).toBe('ty');
    expect(hashTagOf('{}taskyard')).toBeNull();
    expect(hashTagOf('taskyard')).toBeNull();
  });

  describe('config', () => {
    it('defaults the prefix to taskyard on one server and {taskyard} on a cluster', () => {
      expect(loadConfig(CommonConfig, {}).redisPrefix).toBe('taskyard');
      const cluster = loadConfig(CommonConfig, { REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
      expect(cluster.redisPrefix).toBe('{taskyard}');
      expect(cluster.redis).toEqual({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }], tls: false });
      expect(loadConfig(CommonConfig, { REDIS_URL: 'redis+cluster://h:1', REDIS_PREFIX: 'a{b}' }).redisPrefix).toBe('a{b}');
    });

    it('refuses a cluster prefix without a hash tag and bad node lists at boot', () => {
      expect(() => loadConfig(CommonConfig, { REDIS_URL: 'redis+cluster://h:1', REDIS_PREFIX: 'taskyard' })).toThrow(/REDIS_PREFIX must contain a hash tag/);
      expect(() => loadConfig(CommonConfig, { REDIS_CLUSTER_NODES: 'h' })).toThrow(ConfigError);
      expect(() => loadConfig(CommonConfig, { REDIS_URL: 'memcached://h:1' })).toThrow(/REDIS_URL must be/);
      expect(loadConfig(CommonConfig, { REDIS_PREFIX: 'taskyard' }).redisPrefix).toBe('taskyard');
    });
  });
});
