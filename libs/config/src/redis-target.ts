/** One Redis node of a cluster's seed list. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is, resolved from `REDIS_URL` and `REDIS_CLUSTER_NODES`: one server (the URL as
 * given) or a Redis Cluster reached through seed nodes, with the credentials and TLS of the URL.
 */
export type RedisTarget =
  | { mode: 'standalone'; url: string }
  | { mode: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;
const NODE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function parseNodes(list: string): RedisNode[] | null {
  const nodes: RedisNode[] = [];
  for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = NODE.exec(part);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) return null;
    nodes.push({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) });
  }
  return nodes.length > 0 ? nodes : null;
}

function credentials(userInfo: string | undefined): { username?: string; password?: string } {
  if (!userInfo) return {};
  const colon = userInfo.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userInfo.slice(colon + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/**
 * Resolves the Redis settings; `null` when they do not describe a target (validation reports
 * that). `redis+cluster://[user:pass@]host:port,host:port` (or `rediss+cluster://` for TLS) is a
 * cluster; so is any URL together with `REDIS_CLUSTER_NODES=host:port,...`, the URL then giving
 * only the scheme and credentials.
 */
export function resolveRedisTarget(url: string, clusterNodes?: string): RedisTarget | null {
  const cluster = CLUSTER_URL.exec(url);
  if (cluster) {
    const nodes = parseNodes(cluster[3]);
    return nodes && { mode: 'cluster', nodes, tls: cluster[1] === 'rediss', ...credentials(cluster[2]) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return null;
  if (!clusterNodes) return { mode: 'standalone', url };
  const nodes = parseNodes(clusterNodes);
  const userInfo = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}` : undefined;
  return nodes && { mode: 'cluster', nodes, tls: parsed.protocol === 'rediss:', ...credentials(userInfo) };
}

/** The part of a prefix Redis Cluster hashes: the text between the first `{` and the next `}`. */
export function hashTagOf(prefix: string): string | null {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : null;
}
