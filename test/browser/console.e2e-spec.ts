// The real console (apps/console/dist, served by the api) in a real chromium, against the real
// api, worker and scheduler processes (spec §10, issue 7).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const ADMIN_USERNAME = 'admin';
const ADMIN_PASSWORD = 'admin-pass-1234';
const JWT_SECRET = 'browser-test-secret-0123456789abcdef';
const UI_TIMEOUT = 30_000;
/** Three processes and a browser start at once; on a loaded machine that takes a while. */
const START_TIMEOUT = 90_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

type Json = ReturnType<typeof JSON.parse>;

/** Minimal HTTP client for set-up and for checking what the UI did. */
class Api {
  constructor(readonly base: string) {}

  async call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Json; text: string }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.call('POST', '/api/authorization/auth/login', undefined, { username, password });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
    return res.body.data.token as string;
  }

  async task(token: string, id: string): Promise<Json> {
    const res = await this.call('GET', `/api/tasks/${id}`, token);
    if (res.status !== 200) throw new Error(`GET task ${id}: ${res.status} ${res.text}`);
    return res.body.data;
  }
}

/**
 * Runs in every document of the browser context: records each progress value and each task
 * status the console renders, so a test on a busy machine cannot miss a live update that came
 * and went between two of its own polls.
 */
function recordRenderedStates(): void {
  const progress: Record<string, number[]> = {};
  const statuses: Record<string, string[]> = {};
  Object.assign(window, { __rendered: { progress, statuses } });
  const push = <T,>(list: T[], value: T) => {
    if (list[list.length - 1] !== value) list.push(value);
  };
  const record = () => {
    document.querySelectorAll('[data-progress][data-testid]').forEach((el) => {
      push((progress[el.getAttribute('data-testid') as string] ??= []), Number(el.getAttribute('data-progress')));
    });
    document.querySelectorAll('[data-testid="task-detail-page"][data-task-id]').forEach((el) => {
      push((statuses[el.getAttribute('data-task-id') as string] ??= []), el.getAttribute('data-status') as string);
    });
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress', 'data-status'] });
}

type Rendered = { progress: Record<string, number[]>; statuses: Record<string, string[]> };

describe('console: real browser against the real api, worker and scheduler', () => {
  let env: TestEnv;
  let processes: RunningProcess[] = [];
  let api: Api;
  let adminToken: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const sel = (testId: string, attrs: Record<string, string> = {}) =>
    `[data-testid="${testId}"]${Object.entries(attrs)
      .map(([k, v]) => `[data-${k}="${v}"]`)
      .join('')}`;
  // Viewport-sized (a full-page capture costs seconds on a busy machine); the detail page is full.
  const shot = (p: Page, name: string, fullPage = false) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const url = (path: string) => `${api.base}${path}`;
  const rendered = (p: Page) => p.evaluate(() => (window as unknown as { __rendered: Rendered }).__rendered);
  const renderedProgress = async (testId: string) => (await rendered(page)).progress[testId] ?? [];

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.goto(url('/login'));
    await p.locator(sel('login-username')).fill(username);
    await p.locator(sel('login-password')).fill(password);
    await p.locator(sel('login-submit')).click();
    // (Attached: on a phone the name is hidden beside the avatar.)
    await p.locator(sel('current-username')).filter({ hasText: username }).waitFor({ state: 'attached' });
  }

  /** Starts a report from the examples page and returns its id (from the "started here" list). */
  async function startReport(p: Page, fields: { steps: number; step_ms: number; fail_at_step?: number; fail_attempts?: number; max_retries?: number }): Promise<string> {
    if (!p.url().endsWith('/examples')) {
      await p.locator(sel('nav-examples')).click();
      await p.locator(sel('example-report-form')).waitFor();
    }
    const before = await p.locator(sel('example-created-item')).count();
    await p.locator(sel('example-steps')).fill(String(fields.steps));
    await p.locator(sel('example-step-ms')).fill(String(fields.step_ms));
    await p.locator(sel('example-fail-at-step')).fill(fields.fail_at_step === undefined ? '' : String(fields.fail_at_step));
    await p.locator(sel('example-fail-attempts')).fill(fields.fail_attempts === undefined ? '' : String(fields.fail_attempts));
    await p.locator(sel('example-max-retries')).fill(fields.max_retries === undefined ? '' : String(fields.max_retries));
    await p.locator(sel('example-submit')).click();
    await waitFor(async () => (await p.locator(sel('example-created-item')).count()) > before, UI_TIMEOUT, 'the started report to be listed');
    const href = await p.locator(sel('example-created-link')).first().getAttribute('href');
    const id = href?.split('/').pop();
    if (!id) throw new Error(`no task link on the examples page: ${href}`);
    return id;
  }

  /** Starts a report over HTTP (set-up that is not under test); returns its id. */
  async function startReportByApi(token: string, body: { steps: number; step_ms: number } = { steps: 1, step_ms: 0 }): Promise<string> {
    const res = await api.call('POST', '/api/examples/reports', token, body);
    if (res.status !== 201) throw new Error(`report: ${res.status} ${res.text}`);
    return res.body.data.id as string;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    if (!existsSync(join(ROOT, 'apps', 'console', 'dist', 'index.html'))) {
      execFileSync('npm', ['run', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
    }
    env = await createTestEnv('browser_console', { JWT_SECRET, ADMIN_USERNAME, ADMIN_PASSWORD });
    const started = await Promise.allSettled([
      startProcess('api', 'apps/api/src/main.ts', { ...env.env, API_PORT: '0', API_HOST: '127.0.0.1' }, START_TIMEOUT),
      startProcess('worker', 'apps/worker/src/main.ts', { ...env.env, WORKER_METRICS_PORT: '0' }, START_TIMEOUT),
      startProcess('scheduler', 'apps/scheduler/src/main.ts', { ...env.env, SCHEDULER_METRICS_PORT: '0' }, START_TIMEOUT),
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    processes = started.flatMap((r, i) => (r.status === 'fulfilled' && i < 3 ? [r.value as RunningProcess] : []));
    if (started[3].status === 'fulfilled') browser = started[3].value;
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    api = new Api(`http://127.0.0.1:${processes[0].port}`);
    adminToken = await api.login(ADMIN_USERNAME, ADMIN_PASSWORD);
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    await context.addInitScript(recordRenderedStates);
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(processes.map((p) => p.kill()));
    await env?.cleanup();
  });

  it('logs in as the bootstrap admin', async () => {
    await page.goto(url('/tasks'));
    // Not signed in: the console sends us to the login page.
    await page.locator(sel('login-form')).waitFor();
    await shot(page, 'login');
    await page.locator(sel('login-username')).fill(ADMIN_USERNAME);
    await page.locator(sel('login-password')).fill('wrong-password');
    await page.locator(sel('login-submit')).click();
    await page.locator(sel('login-error')).waitFor();
    await page.locator(sel('login-password')).fill(ADMIN_PASSWORD);
    await page.locator(sel('login-submit')).click();
    await page.locator(sel('current-username')).filter({ hasText: ADMIN_USERNAME }).waitFor();
    await page.locator(sel('task-list-page')).waitFor();
    for (const nav of ['nav-tasks', 'nav-schedules', 'nav-users', 'nav-task-settings', 'nav-examples']) {
      await page.locator(sel(nav)).waitFor();
    }
    await page.locator(sel('nav-users')).click();
    await page.locator(sel('user-row')).first().waitFor();
    await shot(page, 'users');
  });

  let reportId: string;

  it('starts a report from the examples page and watches it progress live to success', async () => {
    await page.locator(sel('nav-examples')).click();
    await page.locator(sel('examples-page')).waitFor();
    await shot(page, 'examples');
    reportId = await startReport(page, { steps: 40, step_ms: 250 });

    // The header dropdown opens with the new task and follows it live.
    const item = page.locator(sel('task-dropdown-item', { 'task-id': reportId }));
    await page.locator(sel('task-dropdown-panel')).waitFor();
    await page.locator(sel('task-dropdown-item', { 'task-id': reportId, status: 'running' })).waitFor();
    await waitFor(async () => (await renderedProgress('task-dropdown-progress')).some((p) => p > 0), UI_TIMEOUT, 'progress in the dropdown');

    // The detail page (opened from the dropdown) shows progress and log lines as they come.
    await item.getByRole('link').click();
    const detail = page.locator(sel('task-detail-page', { 'task-id': reportId }));
    await detail.waitFor();
    await page.locator(sel('task-detail-page', { 'task-id': reportId, status: 'success' })).waitFor({ timeout: 20_000 });
    await page.locator(`${sel('task-detail-progress')}[data-progress="100"]`).waitFor();
    // Watched live: the dropdown and the detail page each showed values between 0 and 100.
    const dropdownValues = await renderedProgress('task-dropdown-progress');
    const detailValues = await renderedProgress('task-detail-progress');
    expect(dropdownValues.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(1);
    expect(detailValues.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(2);
    expect(detailValues[detailValues.length - 1]).toBe(100);
    // Never backwards (a REST re-read of a lagging stored progress must not undo a live value).
    expect(detailValues).toEqual([...detailValues].sort((a, b) => a - b));
    expect(dropdownValues).toEqual([...dropdownValues].sort((a, b) => a - b));
    await expect(page.locator(sel('task-detail-progress-message')).textContent()).resolves.toBe('step 40/40');
    await page.locator(sel('task-log-line')).filter({ hasText: 'report finished' }).waitFor();
    const lines = await page.locator(sel('task-log-line')).allTextContents();
    expect(lines.join('\n')).toContain('step 27/40 done');
    expect(lines.length).toBeGreaterThanOrEqual(42);
    await expect(page.locator(sel('task-detail-result')).textContent()).resolves.toContain('"steps": 40');
    await shot(page, 'task-detail', true);

    // The dropdown has caught up too.
    await page.locator(sel('task-dropdown-trigger')).click();
    await page.locator(sel('task-dropdown-item', { 'task-id': reportId, status: 'success' })).waitFor();
    await page.locator(sel('task-dropdown-download', { 'task-id': reportId })).waitFor();
    await page.screenshot({ path: join(SHOTS, 'header-dropdown.png') });
    await page.keyboard.press('Escape');
  });

  it('downloads the artifact of the report as CSV', async () => {
    await page.goto(url(`/tasks/${reportId}`));
    const button = page.locator(sel('task-action-download', { 'task-id': reportId }));
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`example-report-${reportId}.csv`);
    expect(download.url()).toMatch(new RegExp(`^${api.base}/api/files/[^?]+\\?signature=[^&]+&expires=\\d+$`));
    const csv = readFileSync(await download.path(), 'utf8');
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('step,finished_at');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    // The signed URL works without a token.
    const plain = await fetch(download.url());
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe(csv);
  });

  it('cancels a long report from the task list', async () => {
    const id = await startReport(page, { steps: 200, step_ms: 500 });
    await page.keyboard.press('Escape');
    await page.locator(sel('nav-tasks')).click();
    const row = page.locator(sel('task-row', { 'task-id': id }));
    await page.locator(sel('task-row', { 'task-id': id, status: 'running' })).waitFor();
    await shot(page, 'task-list');
    await row.locator(sel('task-action-cancel', { 'task-id': id })).click();
    await page.locator(sel('task-row', { 'task-id': id, status: 'cancelled' })).waitFor();
    await row.locator(sel('task-status-tag', { status: 'cancelled' })).waitFor();
    await expect(row.locator(sel('task-action-cancel')).count()).resolves.toBe(0);
    expect((await api.task(adminToken, id)).status).toBe('cancelled');
  });

  it('retries a failed report from the UI and it runs again', async () => {
    const id = await startReport(page, { steps: 3, step_ms: 300, fail_at_step: 2, max_retries: 0 });
    await page.keyboard.press('Escape');
    await page.goto(url(`/tasks/${id}`));
    await page.locator(sel('task-detail-page', { 'task-id': id, status: 'failed' })).waitFor();
    await expect(page.locator(sel('task-detail-error-message')).textContent()).resolves.toContain('simulated failure at step 2');
    await page.locator(sel('task-log-line', { level: 'error' })).filter({ hasText: 'simulated failure at step 2' }).waitFor();
    await shot(page, 'task-detail-failed');
    const started = page.locator(sel('task-log-line')).filter({ hasText: 'report started' });
    await expect(started.count()).resolves.toBe(1);

    await page.locator(sel('task-action-retry', { 'task-id': id })).click();
    // A fresh run: it runs again (live), logs a second start and fails at the same step again.
    await waitFor(async () => (await started.count()) === 2, UI_TIMEOUT, 'the second run in the log');
    await page.locator(sel('task-detail-page', { 'task-id': id, status: 'failed' })).waitFor();
    const statuses = (await rendered(page)).statuses[id];
    expect(statuses.slice(statuses.indexOf('failed'))).toEqual(expect.arrayContaining(['failed', 'running']));
    expect(statuses[statuses.length - 1]).toBe('failed');
    expect(statuses.lastIndexOf('running')).toBeGreaterThan(statuses.indexOf('failed'));
    await expect(page.locator(sel('task-log-line', { level: 'error' })).count()).resolves.toBe(2);
    expect(await api.task(adminToken, id)).toMatchObject({ status: 'failed', retry_count: 1 });
  });

  it('toggles and triggers a schedule, with the state kept across reloads and the run in history', async () => {
    const scheduleId = 'task-log-cleanup';
    await page.locator(sel('nav-schedules')).click();
    const row = () => page.locator(sel('schedule-row', { 'schedule-id': scheduleId }));
    await page.locator(sel('schedule-row', { 'schedule-id': scheduleId, enabled: 'true' })).waitFor();
    await shot(page, 'schedules');

    await row().locator(sel('schedule-toggle')).click();
    await page.locator(sel('schedule-row', { 'schedule-id': scheduleId, enabled: 'false' })).waitFor();
    await expect(row().locator(sel('schedule-trigger')).isDisabled()).resolves.toBe(true);
    await page.reload();
    await page.locator(sel('schedule-row', { 'schedule-id': scheduleId, enabled: 'false' })).waitFor();
    await expect(row().locator(sel('schedule-toggle')).getAttribute('aria-checked')).resolves.toBe('false');
    expect((await api.call('GET', '/api/task-schedules', adminToken)).body.data.find((s: Json) => s.id === scheduleId).enabled).toBe(false);

    await row().locator(sel('schedule-toggle')).click();
    await page.locator(sel('schedule-row', { 'schedule-id': scheduleId, enabled: 'true' })).waitFor();
    await page.reload();
    await page.locator(sel('schedule-row', { 'schedule-id': scheduleId, enabled: 'true' })).waitFor();

    await row().locator(sel('schedule-trigger')).click();
    const history = await waitFor(async () => {
      const res = await api.call('GET', `/api/task-schedules/${scheduleId}/history`, adminToken);
      return res.body.data?.length ? (res.body.data as Json[]) : null;
    }, UI_TIMEOUT, 'the triggered run');
    const runId = history[0].id as string;
    await row().locator(sel('schedule-history-open')).click();
    await page.locator(sel('schedule-history-row', { 'task-id': runId })).waitFor();
    await shot(page, 'schedule-history');
    await page.keyboard.press('Escape');
  });

  it('changes a task setting and the API reports it', async () => {
    await page.locator(sel('nav-task-settings')).click();
    await page.locator(sel('settings-form')).waitFor();
    const input = page.locator(sel('setting-task_max_concurrent'));
    const before = Number(await input.inputValue());
    const next = before === 7 ? 8 : 7;
    await input.fill(String(next));
    await page.locator(sel('settings-save')).click();
    await waitFor(async () => {
      const res = await api.call('GET', '/api/system/task-settings', adminToken);
      return res.body.data?.task_max_concurrent === next;
    }, UI_TIMEOUT, 'the saved setting');
    await page.reload();
    await page.locator(sel('settings-form')).waitFor();
    await expect(page.locator(sel('setting-task_max_concurrent')).inputValue()).resolves.toBe(String(next));
    await shot(page, 'task-settings');
  });

  let bobTaskId: string;

  it("keeps another user's task from a plain user (not listed, detail says not found)", async () => {
    const created = await api.call('POST', '/api/authorization/users', adminToken, {
      username: 'bob',
      password: 'bob-password-1',
      role_ids: ['user'],
      email: 'bob@example.com',
      full_name: 'Bob Plain',
    });
    expect(created.status).toBe(201);
    const bobContext = await browser.newContext({ viewport: DESKTOP });
    try {
      const bob = await bobContext.newPage();
      bob.setDefaultTimeout(UI_TIMEOUT);
      await login(bob, 'bob', 'bob-password-1');
      // bob's own report is listed, the admin's are not.
      const own = await startReport(bob, { steps: 1, step_ms: 0 });
      bobTaskId = own;
      await bob.locator(sel('nav-tasks')).click();
      await bob.locator(sel('task-row', { 'task-id': own })).waitFor();
      await expect(bob.locator(sel('task-row', { 'task-id': reportId })).count()).resolves.toBe(0);
      await expect(bob.locator(sel('task-row')).count()).resolves.toBe(1);
      // A plain user has no admin pages in the menu.
      await expect(bob.locator(sel('nav-users')).count()).resolves.toBe(0);
      await expect(bob.locator(sel('nav-task-settings')).count()).resolves.toBe(0);
      await bob.goto(url(`/tasks/${reportId}`));
      await bob.locator(sel('task-not-found')).waitFor();
      await expect(bob.locator(sel('task-not-found')).textContent()).resolves.toContain('Task not found');
      await shot(bob, 'task-not-found');
    } finally {
      await bobContext.close();
    }
    expect(pageErrors).toEqual([]);
  });
  // Issue 18: bugs found in a day's use at 1440x900 and 390x844. Each test failed before its fix.

  it('keeps the filter bar on one line at 1440 px with whole placeholders, and shows Duration and Retries', async () => {
    await page.goto(url('/tasks'));
    await page.locator(sel('task-row')).first().waitFor();
    const bar = await page.locator(sel('task-filter-bar')).evaluate((el) => {
      const boxes = Array.from(el.children).map((c) => c.getBoundingClientRect());
      // On one line every item starts above the first one's bottom edge.
      const wrapped = boxes.filter((b) => b.top >= boxes[0].bottom).length;
      const ctx = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
      const cut = Array.from(el.querySelectorAll("input[placeholder]")).flatMap((input) => {
        const i = input as HTMLInputElement;
        const style = getComputedStyle(i);
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        return ctx.measureText(i.placeholder).width > i.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) + 1 ? [i.placeholder] : [];
      });
      return { wrapped, cut };
    });
    expect(bar).toEqual({ wrapped: 0, cut: [] });
    for (const title of ['Duration', 'Retries', 'Creator']) {
      await expect(page.locator('.ant-table-thead th', { hasText: title }).isVisible()).resolves.toBe(true);
    }
    await shot(page, 'task-list-1440');
  });

  it('hides system tasks from an admin by default (no "new tasks" hint for them), one switch away', async () => {
    await page.goto(url('/tasks'));
    await page.locator(sel('task-row')).first().waitFor();
    await page.locator(sel('task-list-live')).filter({ hasText: 'Live' }).waitFor();
    const trigger = await api.call('POST', '/api/task-schedules/example-heartbeat/trigger', adminToken, {});
    expect(trigger.status).toBeLessThan(300);
    const heartbeat = trigger.body.data.id as string;
    await waitFor(async () => (await api.task(adminToken, heartbeat)).status === 'success', UI_TIMEOUT, 'the heartbeat to run');
    // Its pending, running and success events have reached the page by now (live stream).
    const userTask = await startReportByApi(adminToken);
    await page.locator(sel('task-list-new-hint')).waitFor();
    await page.locator(sel('task-list-show-new')).click();
    await page.locator(sel('task-row', { 'task-id': userTask })).waitFor();
    await expect(page.locator(sel('task-row', { 'task-id': heartbeat })).count()).resolves.toBe(0);
    await page.locator(sel('task-filter-system')).click();
    await page.locator(sel('task-row', { 'task-id': heartbeat })).waitFor();
    expect(new URL(page.url()).searchParams.get('category')).toBe('all');
  });

  it('shows creators by username, filters by picking a user, and finds a task by its 8-character id', async () => {
    await page.goto(url('/tasks'));
    const bobRow = page.locator(sel('task-row', { 'task-id': bobTaskId }));
    await expect(bobRow.locator(sel('task-row-creator')).textContent()).resolves.toBe('bob');
    await page.locator(sel('task-filter-creator')).click();
    await page.keyboard.type('bob');
    await page.locator('.ant-select-item-option', { hasText: 'bob' }).click();
    await waitFor(async () => new URL(page.url()).searchParams.get('creator_id') !== null, UI_TIMEOUT, 'the creator filter');
    await bobRow.waitFor();
    await waitFor(async () => (await page.locator(sel('task-row')).count()) === 1, UI_TIMEOUT, "only bob's task");
    await page.goto(url('/tasks'));
    await page.locator(sel('task-search')).locator('input').fill(bobTaskId.slice(0, 8));
    await page.locator(sel('task-search')).locator('input').press('Enter');
    await bobRow.waitFor();
    await waitFor(async () => (await page.locator(sel('task-row')).count()) === 1, UI_TIMEOUT, 'the one task with that id');
    await page.goto(url(`/tasks/${bobTaskId}`));
    await expect(page.locator(sel('task-detail-creator')).textContent()).resolves.toBe('bob');
  });

  it('sorts by Created ascending and back by clicking the header', async () => {
    await page.goto(url('/tasks?category=all'));
    await page.locator(sel('task-row')).nth(2).waitFor();
    const header = page.locator('.ant-table-thead th', { hasText: 'Created' });
    const createdOrder = async () => {
      const ids = await page.locator(sel('task-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id') as string));
      return Promise.all(ids.slice(0, 3).map(async (id) => Date.parse((await api.task(adminToken, id)).created_at)));
    };
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    await header.click();
    await waitFor(async () => (await header.getAttribute('aria-sort')) === 'ascending', UI_TIMEOUT, 'ascending sort');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('created_at');
    await waitFor(async () => {
      const t = await createdOrder();
      return t[0] <= t[1] && t[1] <= t[2];
    }, UI_TIMEOUT, 'rows in ascending order');
    await header.click();
    await waitFor(async () => (await header.getAttribute('aria-sort')) === 'descending', UI_TIMEOUT, 'descending sort');
  });

  it('keeps the relative time on one line and the file name inside the header dropdown', async () => {
    await page.goto(url('/tasks'));
    await page.locator(sel('task-dropdown-trigger')).click();
    const item = page.locator(sel('task-dropdown-item', { 'task-id': reportId }));
    await item.waitFor();
    const box = await item.evaluate((el) => {
      const panel = el.closest('[data-testid="task-dropdown-panel"]') as HTMLElement;
      const time = el.querySelector('[data-testid="task-dropdown-time"]') as HTMLElement;
      const download = el.querySelector('[data-testid="task-dropdown-download"]') as HTMLElement;
      return {
        timeLines: Math.round(time.getBoundingClientRect().height / parseFloat(getComputedStyle(time).lineHeight)),
        spill: download.getBoundingClientRect().right - panel.getBoundingClientRect().right,
      };
    });
    expect(box.timeLines).toBe(1);
    expect(box.spill).toBeLessThanOrEqual(0);
    await shot(page, 'header-dropdown-1440');
    await page.keyboard.press('Escape');
  });

  it('asks before a bulk cancel', async () => {
    const id = await startReportByApi(adminToken, { steps: 200, step_ms: 500 });
    await page.goto(url('/tasks'));
    const row = page.locator(sel('task-row', { 'task-id': id }));
    await row.locator('input[type="checkbox"]').check();
    await page.locator(sel('bulk-cancel')).click();
    await page.locator(sel('confirm-bulk-cancel')).waitFor();
    expect(['pending', 'running']).toContain((await api.task(adminToken, id)).status);
    await page.locator(sel('confirm-bulk-cancel')).click();
    await page.locator(sel('bulk-result')).waitFor();
    await waitFor(async () => (await api.task(adminToken, id)).status === 'cancelled', UI_TIMEOUT, 'the cancelled task');
    await page.locator(sel('bulk-result-close')).click();
  });

  it('leaves no Export tooltip over the task dropdown it opens', async () => {
    await page.goto(url('/users'));
    await page.locator(sel('users-export')).click();
    await page.locator(sel('task-dropdown-panel')).waitFor();
    await expect(page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').count()).resolves.toBe(0);
    await page.keyboard.press('Escape');
  });

  it('keeps the dark sider down to the bottom of a long page', async () => {
    await Promise.all(Array.from({ length: 60 }, () => startReportByApi(adminToken)));
    await page.goto(url('/tasks?category=all&page_size=100'));
    await page.locator(sel('task-row')).nth(59).waitFor();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await waitFor(async () => (await page.evaluate(() => window.scrollY)) > 0, UI_TIMEOUT, 'the page to scroll');
    const sider = await page.locator('.ty-sider').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(sider).toBeGreaterThanOrEqual(DESKTOP.height - 1);
  });

  it('links each setting to its label and shows an invalid value as a field error, not beside "saved"', async () => {
    await page.goto(url('/settings/tasks'));
    const input = page.getByLabel('Max concurrent');
    await expect(input.getAttribute('data-testid')).resolves.toBe('setting-task_max_concurrent');
    await input.fill('6');
    await page.locator(sel('settings-save')).click();
    await page.locator('.ant-message-notice', { hasText: 'Task settings saved.' }).waitFor();
    await input.fill('0');
    await page.locator(sel('settings-save')).click();
    const item = page.locator('.ant-form-item', { has: page.locator(sel('setting-task_max_concurrent')) });
    await item.locator('.ant-form-item-explain-error', { hasText: 'must be between 1 and 1000' }).waitFor();
    await waitFor(async () => (await page.locator('.ant-message-notice', { hasText: 'Task settings saved.' }).count()) === 0, UI_TIMEOUT, 'the stale "saved" message to go');
    await shot(page, 'task-settings-error');
  });

  it('lets the keyboard leave the Created date picker', async () => {
    await page.goto(url('/tasks'));
    const from = page.locator(sel('task-filter-created-from'));
    await from.focus();
    const inside = () => page.evaluate(() => Boolean(document.activeElement?.closest('.ant-picker, .ant-picker-dropdown')));
    await expect(inside()).resolves.toBe(true);
    for (let i = 0; i < 4 && (await inside()); i++) await page.keyboard.press('Tab');
    await expect(inside()).resolves.toBe(false);
  });

  it('keeps logs readable after switching the log backend, and back', async () => {
    const chooseBackend = async (name: string) => {
      await page.goto(url('/settings/tasks'));
      await page.locator(sel('setting-log-storage-backend')).click();
      await page.locator('.ant-select-item-option', { hasText: name }).click();
      await page.locator(sel('settings-save')).click();
      await page.locator('.ant-message-notice', { hasText: 'Task settings saved.' }).waitFor();
    };
    await chooseBackend('Redis Streams');
    // Written to PostgreSQL before the switch: still shown.
    await page.goto(url(`/tasks/${reportId}`));
    await page.locator(sel('task-log-line')).filter({ hasText: 'report finished' }).waitFor();
    // Written to Redis (once every worker has switched), then back to PostgreSQL: both shown.
    const inRedis = await waitFor(async () => {
      const id = await startReportByApi(adminToken, { steps: 2, step_ms: 0 });
      await waitFor(async () => (await api.task(adminToken, id)).status === 'success', UI_TIMEOUT, 'the report');
      return (await api.call('GET', `/api/tasks/${id}/logs`, adminToken)).body.data.some((l: Json) => /^\d+-\d+$/.test(l.id)) ? id : null;
    }, UI_TIMEOUT, 'a report logged to Redis');
    await chooseBackend('PostgreSQL');
    for (const id of [reportId, inRedis]) {
      await page.goto(url(`/tasks/${id}`));
      await page.locator(sel('task-log-line')).filter({ hasText: 'report finished' }).waitFor();
    }
  });

  it('lets the manual-retry demo of the example report succeed (manual retries count as attempts)', async () => {
    const id = await startReport(page, { steps: 2, step_ms: 50, fail_at_step: 1, fail_attempts: 1, max_retries: 0 });
    await page.keyboard.press('Escape');
    await page.goto(url(`/tasks/${id}`));
    await page.locator(sel('task-detail-page', { 'task-id': id, status: 'failed' })).waitFor();
    await page.locator(sel('task-action-retry', { 'task-id': id })).click();
    await page.locator(sel('task-detail-page', { 'task-id': id, status: 'success' })).waitFor();
  });

  it('shows the expired-session message once', async () => {
    await page.goto(url('/tasks'));
    await page.locator(sel('task-list-page')).waitFor();
    await page.evaluate(() => localStorage.setItem('taskyard.token', 'expired.token.value'));
    await page.locator(sel('task-list-refresh')).click();
    await page.locator(sel('login-notice')).waitFor();
    await expect(page.getByText('Your session has expired').count()).resolves.toBe(1);
    await login(page, ADMIN_USERNAME, ADMIN_PASSWORD);
  });

  it('fits a phone (390 px): menu in a drawer, key columns with nothing pinned over them, detail inside its card', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(UI_TIMEOUT);
      await login(p, ADMIN_USERNAME, ADMIN_PASSWORD);
      await p.goto(url('/tasks?category=all'));
      await p.locator(sel('task-row')).first().waitFor();
      const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await expect(overflow()).resolves.toBeLessThanOrEqual(0);
      await expect(p.locator('.ant-layout-sider').count()).resolves.toBe(0);
      await expect(p.locator('.ant-table-cell-fix-right, .ant-table-cell-fix-end').count()).resolves.toBe(0);
      // The row's link is what a tap on it hits (nothing pinned on top of it).
      const link = p.locator(sel('task-row')).first().locator(sel('task-row-link'));
      const hit = await link.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
      });
      expect(hit).toBe(true);
      await shot(p, 'phone-task-list');
      await p.locator(sel('menu-open')).click();
      await p.locator(sel('nav-schedules')).click();
      await p.locator(sel('schedules-page')).waitFor();
      await p.goto(url(`/tasks/${reportId}`));
      await p.locator(sel('task-detail-fields')).waitFor();
      await expect(overflow()).resolves.toBeLessThanOrEqual(0);
      const spill = await p.locator('.ant-card').evaluateAll((cards) => Math.max(...cards.map((c) => c.scrollWidth - c.clientWidth)));
      expect(spill).toBeLessThanOrEqual(0);
      await shot(p, 'phone-task-detail', true);
    } finally {
      await phone.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
