import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims of a Taskyard access token. */
export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
/** Tolerated clock skew between API replicas, seconds. */
const LEEWAY_S = 30;

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Signs an HS256 JWT (no library: the format is small and the algorithm is pinned). */
export function signJwt(claims: AccessTokenClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${HEADER}.${body}.${mac(secret, `${HEADER}.${body}`).toString('base64url')}`;
}

function decodeJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new InvalidTokenError('malformed token');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed token');
  }
}

/**
 * Verifies an HS256 JWT: the header must say exactly HS256 (`none` and every other algorithm
 * are rejected before any signature check), the signature must match in constant time, and
 * `exp`/`nbf`/`iat` must hold now.
 */
export function verifyJwt(token: string, secret: string, nowS = Math.floor(Date.now() / 1000)): AccessTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) throw new InvalidTokenError('malformed token');
  const header = decodeJson(parts[0]) as { alg?: unknown; typ?: unknown } | null;
  if (!header || typeof header !== 'object' || header.alg !== 'HS256') throw new InvalidTokenError('unsupported token algorithm');
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('invalid token signature');
  const claims = decodeJson(parts[1]) as Partial<AccessTokenClaims> | null;
  if (!claims || typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
    throw new InvalidTokenError('malformed token claims');
  }
  if (claims.exp <= nowS) throw new InvalidTokenError('token expired');
  if (claims.iat > nowS + LEEWAY_S) throw new InvalidTokenError('token issued in the future');
  if (typeof claims.nbf === 'number' && claims.nbf > nowS + LEEWAY_S) throw new InvalidTokenError('token not yet valid');
  return claims as AccessTokenClaims;
}
