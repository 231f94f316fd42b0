import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { signJwt } from '@taskyard/auth';
import { TEST_DATABASE_URL, waitFor } from '../support/test-env';
import { JWT_SECRET, openEvents, startStack, type Json, type SseClient, type Stack } from './support/api-harness';

/** A login attempt sent from a given loopback source address (the whole 127/8 is local). */
function loginFrom(port: number, address: string, username: string, password: string): Promise<{ status: number; retryAfter?: string; body: Json; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = httpRequest(
      { host: '127.0.0.1', port, localAddress: address, method: 'POST', path: '/api/authorization/auth/login', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, body: JSON.parse(text), ms: performance.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Objects and arrays nested `levels` deep. */
const nested = (levels: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('api: access that ends with its revocation, streams per user, hostile bodies and login limits', () => {
  let stack: Stack;
  let pg: Client;
  const sql = (text: string, params: unknown[]) => pg.query(text.replaceAll('@', `"${stack.env.schema}".`), params);

  beforeAll(async () => {
    stack = await startStack('api_abuse', {
      worker: true,
      env: {
        SSE_ACCESS_RECHECK_MS: '300',
        SSE_MAX_STREAMS_PER_USER: '3',
        LOGIN_MAX_FAILURES: '3',
        LOGIN_ACCOUNT_MAX_FAILURES: '6',
        // Long enough for six scrypt hashes on a loaded machine, short enough to wait for.
        LOGIN_ACCOUNT_WINDOW_SECONDS: '15',
        LOGIN_ADDRESS_MAX_FAILURES: '8',
      },
    });
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.stop();
  });

  it('stops showing other users\' tasks to a demoted admin and ends the streams of a disabled user, an expired token and a task no longer visible', async () => {
    const { api, adminToken } = stack;
    const [alice, boss, carol, vera] = await Promise.all([
      api.user(adminToken, 'alice_owner', ['user']),
      api.user(adminToken, 'boss_admin', ['admin']),
      api.user(adminToken, 'carol_admin', ['admin']),
      api.user(adminToken, 'vera_viewer', ['viewer']),
    ]);
    const report = await api.startReport(alice.token, { steps: 3000, step_ms: 20 });
    const now = Math.floor(Date.now() / 1000);
    const shortToken = signJwt({ sub: boss.id, iat: now, nbf: now, exp: now + 2 }, JWT_SECRET);
    const ticket = (await api.post('/api/tasks/events/ticket', carol.token)).body.data.ticket as string;
    const streams: Record<string, SseClient> = {
      alice: await openEvents(api.base, { token: alice.token }),
      boss: await openEvents(api.base, { token: boss.token }),
      carol: await openEvents(api.base, { query: { ticket } }),
      vera: await openEvents(api.base, { token: vera.token, query: { task_id: report.id } }),
      expiring: await openEvents(api.base, { token: shortToken }),
    };
    const ofReport = (s: SseClient) => s.events.filter((e) => e.data?.task_id === report.id).length;
    try {
      for (const [name, stream] of Object.entries(streams)) expect({ name, status: stream.status }).toEqual({ name, status: 200 });
      for (const name of ['alice', 'boss', 'carol', 'vera']) await waitFor(() => ofReport(streams[name]) > 0, 20_000, `${name} to see the report's events`);

      // The token's expiry ends its stream, though nothing else changed.
      await waitFor(() => streams.expiring.events.some((e) => e.event === 'revoked'), 10_000, 'the expired token\'s stream to be revoked');
      await streams.expiring.ended;

      await sql(`UPDATE @user_roles SET role_id = 'user' WHERE user_id = $1`, [boss.id]);
      await sql(`UPDATE @user_roles SET role_id = 'user' WHERE user_id = $1`, [vera.id]);
      await sql(`UPDATE @users SET status = 'disabled' WHERE id = $1`, [carol.id]);

      // Carol's stream (opened with a ticket) and Vera's (on a task she may no longer view) end.
      for (const name of ['carol', 'vera']) {
        await waitFor(() => streams[name].events.some((e) => e.event === 'revoked'), 10_000, `${name}'s stream to be revoked`);
        await streams[name].ended;
      }
      // Boss keeps a stream but, while Alice's report goes on, receives none of its events.
      const settled = async () => {
        const [seenByBoss, seenByAlice] = [ofReport(streams.boss), ofReport(streams.alice)];
        await waitFor(() => ofReport(streams.alice) >= seenByAlice + 5, 20_000, 'more report events');
        return ofReport(streams.boss) === seenByBoss;
      };
      await waitFor(settled, 10_000, 'the demoted admin to stop receiving the report\'s events');
      const quietFrom = ofReport(streams.boss);
      const aliceFrom = ofReport(streams.alice);
      await waitFor(() => ofReport(streams.alice) >= aliceFrom + 20, 20_000, 'twenty more report events');
      expect(ofReport(streams.boss)).toBe(quietFrom);
      // Their own tasks still reach them.
      const own = await api.startReport(boss.token, { steps: 2, step_ms: 10 });
      await waitFor(() => streams.boss.events.some((e) => e.data?.task_id === own.id), 20_000, 'the demoted admin\'s own events');
    } finally {
      for (const stream of Object.values(streams)) stream.close();
      await api.post(`/api/tasks/${report.id}/cancel`, alice.token);
    }
  });

  it('caps the event streams one user holds open with 429 E4291 and frees a slot when one closes', async () => {
    const { api, adminToken } = stack;
    const dave = await api.user(adminToken, 'dave_streams', ['user']);
    const open = [await openEvents(api.base, { token: dave.token }), await openEvents(api.base, { token: dave.token })];
    const ticket = (await api.post('/api/tasks/events/ticket', dave.token)).body.data.ticket as string;
    open.push(await openEvents(api.base, { query: { ticket } }));
    try {
      expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
      const refused = await openEvents(api.base, { token: dave.token });
      refused.close();
      expect(refused).toMatchObject({ status: 429, error: { code: 'E4291', err: expect.stringContaining('at most 3') } });
      // Another user is not affected.
      const other = await openEvents(api.base, { token: adminToken });
      expect(other.status).toBe(200);
      other.close();
      open.shift()!.close();
      const again = await waitFor(async () => {
        const stream = await openEvents(api.base, { token: dave.token });
        return stream.status === 200 ? stream : null;
      }, 10_000, 'a freed stream slot');
      open.push(again);
    } finally {
      for (const stream of open) stream.close();
    }
  });

  it('answers deeply nested JSON with 400 E4006 on every route, before validation', async () => {
    const { api, adminToken: token } = stack;
    // As text: the test's own JSON.stringify would overflow on it too.
    const deep = `${'[{"a":'.repeat(2_500)}1${'}]'.repeat(2_500)}`;
    const cases: [string, string, string, string | undefined][] = [
      ['POST', '/api/authorization/auth/login', `{"username":${deep},"password":"whatever1"}`, undefined],
      ['POST', '/api/examples/reports', `{"steps":${deep}}`, token],
      ['POST', '/api/tasks/bulk/cancel', `{"ids":${deep}}`, token],
      ['POST', '/api/authorization/users', `{"username":"deep_user","password":"deep-password","role_ids":${deep}}`, token],
      ['POST', '/api/authorization/users/export', `{"keywords":${deep}}`, token],
      ['PUT', '/api/system/task-settings', `{"task_max_concurrent":${deep}}`, token],
      ['POST', '/api/task-schedules/example-heartbeat/toggle', `{"enabled":${deep}}`, token],
    ];
    for (const [method, path, rawBody, auth] of cases) {
      const res = await api.request(method, path, { token: auth, rawBody });
      expect({ path, status: res.status, code: res.body?.code, err: res.body?.err }).toEqual({ path, status: 400, code: 'E4006', err: expect.stringContaining('nested too deeply') });
    }
    // Just past the limit (32 levels) is refused, a body at the limit goes on to validation.
    expect((await api.post('/api/examples/reports', token, { steps: nested(32) })).body.code).toBe('E4006');
    expect((await api.post('/api/examples/reports', token, { steps: nested(31) })).body.code).toBe('E4001');
    expect((await api.get('/api/authorization/users?keywords=deep_user', token)).body.total).toBe(0);
  });

  it('limits failed logins per account across addresses and per address across accounts, without a lasting lock-out or a hash per refused attempt', async () => {
    const { api, adminToken, apiProcess } = stack;
    const port = apiProcess.port;
    await api.user(adminToken, 'victim', ['user']); // logs in once from 127.0.0.1: a known address

    // 36 wrong passwords for one account from 12 addresses (3 each, under the pair limit).
    const spread: number[] = [];
    for (let a = 2; a <= 13; a++) for (let i = 0; i < 3; i++) spread.push((await loginFrom(port, `127.0.0.${a}`, 'victim', `guess-${a}-${i}`)).status);
    expect(spread.filter((s) => s === 401)).toHaveLength(6);
    expect(spread.slice(6).every((s) => s === 429)).toBe(true);
    // The right password from a new address waits for the (short) account window...
    const blocked = await loginFrom(port, '127.0.0.14', 'victim', 'victim-password');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('E4290');
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(15);
    // ...but from an address the user logged in from before it goes through at once,
    expect((await loginFrom(port, '127.0.0.1', 'victim', 'victim-password')).status).toBe(200);
    // and from anywhere once the window is over.
    await waitFor(async () => (await loginFrom(port, '127.0.0.14', 'victim', 'victim-password')).status === 200, 30_000, 'the account window to end');

    // One address trying 40 usernames: 8 answered, the rest refused without hashing a password.
    await api.user(adminToken, 'neighbour', ['user']);
    expect((await loginFrom(port, '127.0.0.20', 'neighbour', 'neighbour-password')).status).toBe(200);
    const sprayed: { status: number; ms: number }[] = [];
    for (let i = 0; i < 40; i++) sprayed.push(await loginFrom(port, '127.0.0.20', `user${i}`, 'Password1'));
    expect(sprayed.filter((r) => r.status === 401)).toHaveLength(8);
    expect(sprayed.slice(8).every((r) => r.status === 429)).toBe(true);
    // A refused attempt costs no scrypt hash: it answers many times faster than a wrong password.
    expect(median(sprayed.slice(8).map((r) => r.ms))).toBeLessThan(median(sprayed.slice(0, 8).map((r) => r.ms)) / 4);
    // A user who logged in from that address before is not locked out by the spray,
    expect((await loginFrom(port, '127.0.0.20', 'neighbour', 'neighbour-password')).status).toBe(200);
    // and other addresses are unaffected.
    expect((await loginFrom(port, '127.0.0.21', 'user0', 'Password1')).status).toBe(401);
  });
});
