import { createHmac } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt';

const SECRET = 'unit-test-secret-123456';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = 1_800_000_000;

describe('HS256 access tokens', () => {
  it('round-trips claims', () => {
    const sut = signJwt({ sub: 'u1', iat: now, exp: now + 60 }, SECRET);
    expect(verifyJwt(sut, SECRET, now)).toEqual({ sub: 'u1', iat: now, exp: now + 60 });
  });

  it('rejects expired, not-yet-valid, future-issued, wrongly signed and malformed tokens', () => {
    const cases: [string, string][] = [
      [signJwt({ sub: 'u1', iat: now - 120, exp: now }, SECRET), 'token expired'],
      [signJwt({ sub: 'u1', iat: now, nbf: now + 3600, exp: now + 7200 }, SECRET), 'token not yet valid'],
      [signJwt({ sub: 'u1', iat: now + 3600, exp: now + 7200 }, SECRET), 'token issued in the future'],
      [signJwt({ sub: 'u1', iat: now, exp: now + 60 }, 'another-secret-123456'), 'invalid token signature'],
      ['a.b', 'malformed token'],
      ['', 'malformed token'],
    ];
    for (const [token, reason] of cases) expect(() => verifyJwt(token, SECRET, now)).toThrow(reason);
  });

  it('pins the algorithm: none and HS512 are refused even when correctly formed', () => {
    const body = b64({ sub: 'u1', iat: now, exp: now + 60 });
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${body}.`;
    const hs512Header = b64({ alg: 'HS512', typ: 'JWT' });
    const hs512 = `${hs512Header}.${body}.${createHmac('sha512', SECRET).update(`${hs512Header}.${body}`).digest('base64url')}`;
    expect(() => verifyJwt(none, SECRET, now)).toThrow('unsupported token algorithm');
    expect(() => verifyJwt(hs512, SECRET, now)).toThrow('unsupported token algorithm');
  });
});
