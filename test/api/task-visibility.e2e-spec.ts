import { randomUUID } from 'node:crypto';
import { waitFor } from '../support/test-env';
import { openEvents, startStack, type Json, type Stack } from './support/api-harness';

interface Actor {
  id: string;
  token: string;
}

describe('api: task visibility and actions per role (real api + worker)', () => {
  let stack: Stack;
  let admin: Actor;
  let operator: Actor;
  let viewer: Actor;
  let alice: Actor;
  let bob: Actor;
  /** Finished tasks with a CSV artifact. */
  let aliceTask: Json;
  let bobTask: Json;
  let bobFailed: Json;

  beforeAll(async () => {
    stack = await startStack('api_visibility', { worker: true });
    const { api, adminToken } = stack;
    admin = { id: '', token: adminToken };
    [operator, viewer, alice, bob] = await Promise.all([
      api.user(adminToken, 'olga_operator', ['operator']),
      api.user(adminToken, 'vic_viewer', ['viewer']),
      api.user(adminToken, 'alice', ['user']),
      api.user(adminToken, 'bob', ['user']),
    ]);
    const [a, b, f] = await Promise.all([
      api.startReport(alice.token, { steps: 2, step_ms: 0 }),
      api.startReport(bob.token, { steps: 2, step_ms: 0 }),
      api.startReport(bob.token, { steps: 1, step_ms: 0, fail_at_step: 1 }),
    ]);
    [aliceTask, bobTask, bobFailed] = await Promise.all([api.finished(alice.token, a.id), api.finished(bob.token, b.id), api.finished(bob.token, f.id)]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('ran the reports to their outcomes with artifacts', () => {
    expect(aliceTask).toMatchObject({ status: 'success', progress: 100, creator_id: alice.id, category: 'user', result: JSON.stringify({ steps: 2 }), artifact_file_key: expect.any(String) });
    expect(bobFailed).toMatchObject({ status: 'failed', error: 'simulated failure at step 1 (attempt 1)' });
  });

  it("names each task's creator (creator_name) in lists, details and the header dropdown", async () => {
    const listed = (await stack.api.get('/api/tasks?page_size=100', admin.token)).body.data as Json[];
    expect(Object.fromEntries(listed.map((t) => [t.id, t.creator_name]))).toEqual({ [aliceTask.id]: 'alice', [bobTask.id]: 'bob', [bobFailed.id]: 'bob' });
    expect((await stack.api.get(`/api/tasks/${bobTask.id}`, admin.token)).body.data.creator_name).toBe('bob');
    expect((await stack.api.get('/api/user-tasks', alice.token)).body.data.map((t: Json) => t.creator_name)).toEqual(['alice']);
  });

  it('lists every task for list-permission roles and only own tasks for users', async () => {
    const ids = async (token: string) => (await stack.api.get('/api/tasks?page_size=100', token)).body.data.map((t: Json) => t.id).sort();
    const all = [aliceTask.id, bobTask.id, bobFailed.id].sort();
    expect(await ids(admin.token)).toEqual(all);
    expect(await ids(operator.token)).toEqual(all);
    expect(await ids(viewer.token)).toEqual(all);
    expect(await ids(alice.token)).toEqual([aliceTask.id]);
    expect((await ids(bob.token)).length).toBe(2);
    // A user filtering by someone else's id still sees only their own.
    expect((await stack.api.get(`/api/tasks?creator_id=${bob.id}`, alice.token)).body).toMatchObject({ total: 0, data: [] });
  });

  it('filters, searches and paginates the list', async () => {
    const page = await stack.api.get('/api/tasks?current=2&page_size=1&sort=created_at', admin.token);
    expect(page.body).toMatchObject({ code: '0', total: 3, current: 2, page_size: 1 });
    expect((await stack.api.get('/api/tasks?status=failed', admin.token)).body.data.map((t: Json) => t.id)).toEqual([bobFailed.id]);
    expect((await stack.api.get(`/api/tasks?search=${bobTask.id}`, admin.token)).body.data.map((t: Json) => t.id)).toEqual([bobTask.id]);
    // The 8 characters the console shows find the task too.
    expect((await stack.api.get(`/api/tasks?search=${bobTask.id.slice(0, 8)}`, admin.token)).body.data.map((t: Json) => t.id)).toEqual([bobTask.id]);
    expect((await stack.api.get('/api/tasks?search=fail_at_step', admin.token)).body.total).toBe(3);
    expect((await stack.api.get('/api/tasks?type=example_report&category=user', viewer.token)).body.total).toBe(3);
    expect((await stack.api.get(`/api/tasks?created_from=${new Date(Date.now() + 60_000).toISOString()}`, admin.token)).body.total).toBe(0);
  });

  it('shows detail and logs of a task to its creator and global viewers, 404 to other users', async () => {
    for (const actor of [admin, operator, viewer, bob]) {
      expect((await stack.api.get(`/api/tasks/${bobTask.id}`, actor.token)).status).toBe(200);
      const logs = await stack.api.get(`/api/tasks/${bobTask.id}/logs`, actor.token);
      expect(logs.body.data.map((l: Json) => l.message)).toEqual(expect.arrayContaining(['step 1/2 done', 'step 2/2 done']));
    }
    const hidden = await stack.api.get(`/api/tasks/${bobTask.id}`, alice.token);
    expect(hidden).toMatchObject({ status: 404, body: { code: 'E4040' } });
    expect((await stack.api.get(`/api/tasks/${bobTask.id}/logs`, alice.token)).status).toBe(404);
  });

  it('tails logs with after and limit, oldest first', async () => {
    const all = (await stack.api.get(`/api/tasks/${aliceTask.id}/logs`, alice.token)).body.data;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const first = (await stack.api.get(`/api/tasks/${aliceTask.id}/logs?limit=1`, alice.token)).body.data;
    expect(first).toEqual([all[0]]);
    const rest = (await stack.api.get(`/api/tasks/${aliceTask.id}/logs?after=${all[0].id}`, alice.token)).body.data;
    expect(rest).toEqual(all.slice(1));
  });

  it('answers actions: 404 when invisible, 403 when visible but not allowed, 409 on invalid transition', async () => {
    for (const action of ['cancel', 'retry']) {
      expect((await stack.api.post(`/api/tasks/${bobTask.id}/${action}`, alice.token)).body.code).toBe('E4040');
      expect((await stack.api.post(`/api/tasks/${bobTask.id}/${action}`, viewer.token)).body.code).toBe('E4030');
      expect((await stack.api.post(`/api/tasks/${bobTask.id}/${action}`, operator.token)).body.code).toBe('E4090');
      expect((await stack.api.post(`/api/tasks/${bobTask.id}/${action}`, bob.token)).body.code).toBe('E4090');
    }
    expect((await stack.api.delete(`/api/tasks/${bobTask.id}`, alice.token)).status).toBe(404);
    expect((await stack.api.delete(`/api/tasks/${bobTask.id}`, viewer.token)).status).toBe(403);
  });

  it('lets a user retry their own failed task without the global permission', async () => {
    const res = await stack.api.post(`/api/tasks/${bobFailed.id}/retry`, bob.token);
    expect(res.body).toMatchObject({ code: '0', data: { id: bobFailed.id, status: 'pending', retry_count: 1 } });
    expect(await stack.api.finished(bob.token, bobFailed.id)).toMatchObject({ status: 'failed', retry_count: 1 });
  });

  it('applies the same rules per id in bulk actions', async () => {
    const unknown = randomUUID();
    const res = await stack.api.post('/api/tasks/bulk/cancel', alice.token, { ids: [aliceTask.id, bobTask.id, unknown] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { id: aliceTask.id, ok: false, code: 'E4090', err: expect.stringContaining('cannot cancel') },
      { id: bobTask.id, ok: false, code: 'E4040', err: expect.any(String) },
      { id: unknown, ok: false, code: 'E4040', err: expect.any(String) },
    ]);
    const viewerBulk = await stack.api.post('/api/tasks/bulk/delete', viewer.token, { ids: [bobTask.id] });
    expect(viewerBulk.body.data).toEqual([{ id: bobTask.id, ok: false, code: 'E4030', err: expect.any(String) }]);
  });

  it('downloads an artifact for the owner and global viewers only, and via a short-lived signed URL', async () => {
    const key = bobTask.artifact_file_key as string;
    for (const actor of [bob, admin, viewer]) {
      const res = await stack.api.get(`/api/files/${key}`, actor.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${bobTask.artifact_file_name}"; filename*=UTF-8''${bobTask.artifact_file_name}`);
      expect(res.text.split('\r\n')[0]).toBe('step,finished_at');
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
    }
    expect((await stack.api.get(`/api/files/${key}`, alice.token)).body.code).toBe('E4040');
    expect((await stack.api.get(`/api/files/${key}?method=sign`, alice.token)).body.code).toBe('E4040');
    expect((await stack.api.get(`/api/files/${key}`)).body.code).toBe('E4010');

    const signed = await stack.api.get(`/api/files/${key}?method=sign`, bob.token);
    expect(signed.body.data).toMatchObject({ signature: expect.stringMatching(/^[\w-]+$/), expires: expect.any(Number) });
    expect(signed.body.data.url).toBe(`/api/files/${key}?signature=${signed.body.data.signature}&expires=${signed.body.data.expires}`);
    const url = signed.body.data.url as string;
    const anonymous = await stack.api.get(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.text.startsWith('step,finished_at')).toBe(true);

    const expires = Number(new URL(url, 'http://x').searchParams.get('expires'));
    const altered = [
      url.replace(/expires=\d+/, `expires=${expires + 1000}`),
      url.replace(/signature=([\w-])/, (_, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`),
      url.replace(key, aliceTask.artifact_file_key as string),
      url.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) - 10}`),
    ];
    for (const bad of altered) expect((await stack.api.get(bad)).body.code).toBe('E4031');
  });

  it('shows recent user tasks in the header dropdown, newest first', async () => {
    const res = await stack.api.get('/api/user-tasks', bob.token);
    expect(res.body.data.map((t: Json) => t.id).sort()).toEqual([bobTask.id, bobFailed.id].sort());
    expect((await stack.api.get('/api/user-tasks', alice.token)).body.data.map((t: Json) => t.id)).toEqual([aliceTask.id]);
  });

  it('streams events of own tasks only, by Bearer header or single-use ticket', async () => {
    const ticket = (await stack.api.post('/api/tasks/events/ticket', alice.token)).body.data;
    expect(ticket).toMatchObject({ ticket: expect.any(String), expires_in: 60 });
    const aliceStream = await openEvents(stack.api.base, { query: { ticket: ticket.ticket } });
    expect(aliceStream.status).toBe(200);
    expect((await openEvents(stack.api.base, { query: { ticket: ticket.ticket } })).status).toBe(401);
    const bobStream = await openEvents(stack.api.base, { token: bob.token });
    const viewerStream = await openEvents(stack.api.base, { token: viewer.token, query: { task_id: bobTask.id } });
    expect((await openEvents(stack.api.base, { token: alice.token, query: { task_id: bobTask.id } })).status).toBe(404);
    expect((await openEvents(stack.api.base, {})).status).toBe(401);
    try {
      const bobReport = await stack.api.startReport(bob.token, { steps: 3, step_ms: 20 });
      const aliceReport = await stack.api.startReport(alice.token, { steps: 3, step_ms: 20 });
      await stack.api.finished(bob.token, bobReport.id);
      await stack.api.finished(alice.token, aliceReport.id);
      await waitFor(() => aliceStream.events.some((e) => e.event === 'status' && e.data.status === 'success'), 10_000, 'alice success event');
      await waitFor(() => bobStream.events.some((e) => e.event === 'status' && e.data.status === 'success'), 10_000, 'bob success event');
      const kinds = new Set(aliceStream.events.map((e) => e.event));
      expect([...kinds]).toEqual(expect.arrayContaining(['status', 'progress', 'log']));
      expect(aliceStream.events.every((e) => e.data.task_id === aliceReport.id)).toBe(true);
      expect(bobStream.events.every((e) => e.data.creator_id === bob.id)).toBe(true);
      expect(aliceStream.events.find((e) => e.event === 'log')?.data.log).toMatchObject({ task_id: aliceReport.id, message: expect.any(String) });
      const ids = aliceStream.events.map((e) => Number(String(e.id).split('-')[1]));
      expect(ids.every(Number.isInteger)).toBe(true);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      // The viewer filtered on another task receives nothing about these two.
      expect(viewerStream.events).toEqual([]);

      // Resuming after the first event replays exactly the later ones she may see.
      const resumed = await openEvents(stack.api.base, { token: alice.token, query: { last_event_id: String(aliceStream.events[0].id) } });
      try {
        await waitFor(() => resumed.events.length >= aliceStream.events.length - 1, 10_000, 'the replay');
        expect(resumed.events.slice(0, aliceStream.events.length - 1).map((e) => e.id)).toEqual(aliceStream.events.slice(1).map((e) => e.id));
        expect(resumed.events.every((e) => e.data.creator_id === alice.id)).toBe(true);
      } finally {
        resumed.close();
      }
      // An id this process cannot replay asks the client to re-read over REST.
      const unknown = await openEvents(stack.api.base, { token: alice.token, query: { last_event_id: 'ffffffff-1' } });
      try {
        await waitFor(() => unknown.events.some((e) => e.event === 'resync'), 10_000, 'a resync event');
      } finally {
        unknown.close();
      }
    } finally {
      aliceStream.close();
      bobStream.close();
      viewerStream.close();
    }
  });

  it('cancels a running example report through the API promptly', async () => {
    const report = await stack.api.startReport(alice.token, { steps: 1000, step_ms: 1000 });
    await stack.api.waitTask(alice.token, report.id, (t) => t.status === 'running', 'running');
    const started = Date.now();
    const res = await stack.api.post(`/api/tasks/${report.id}/cancel`, alice.token);
    expect(res.status).toBe(200);
    const done = await stack.api.finished(alice.token, report.id);
    expect(done.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('soft-deletes: gone from detail, list and bulk, allowed for the operator on any task', async () => {
    expect((await stack.api.delete(`/api/tasks/${bobTask.id}`, operator.token)).status).toBe(200);
    expect((await stack.api.get(`/api/tasks/${bobTask.id}`, admin.token)).status).toBe(404);
    expect((await stack.api.get('/api/tasks?page_size=100', admin.token)).body.data.map((t: Json) => t.id)).not.toContain(bobTask.id);
    expect((await stack.api.get(`/api/files/${bobTask.artifact_file_key}`, bob.token)).status).toBe(404);
    const again = await stack.api.post('/api/tasks/bulk/delete', bob.token, { ids: [bobTask.id] });
    expect(again.body.data[0]).toMatchObject({ ok: false, code: 'E4040' });
  });
});
