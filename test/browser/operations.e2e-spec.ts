// The console's operator pages (Queues, Fleet, attempts on the task detail page) in a real
// chromium against the real api, worker and scheduler processes (issue 16).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, Api, JWT_SECRET } from '../api/support/api-harness';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, type TestEnv } from '../support/test-env';

const ROOT = join(__dirname, '..', '..');
const UI_TIMEOUT = 20_000;
const START_MS = 180_000;
// Tests that start a replacement worker wait for it too.
jest.setTimeout(START_MS + 60_000);

describe('console operator pages: queues, fleet, attempts', () => {
  let env: TestEnv;
  let processes: RunningProcess[] = [];
  let api: Api;
  let admin: string;
  let browser: Browser;
  let page: Page;

  const sel = (testId: string, attrs: Record<string, string> = {}) =>
    `[data-testid="${testId}"]${Object.entries(attrs)
      .map(([k, v]) => `[data-${k}="${v}"]`)
      .join('')}`;

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.goto(`${api.base}/login`);
    await p.locator(sel('login-username')).fill(username);
    await p.locator(sel('login-password')).fill(password);
    await p.locator(sel('login-submit')).click();
    await p.locator(sel('current-username')).filter({ hasText: username }).waitFor();
  }

  const typeOf = async (type: string) =>
    ((await api.get('/api/system/queues', admin)).body.data as { types: { type: string; paused: boolean; rate_limit_override: unknown }[] }[])
      .flatMap((q) => q.types)
      .find((t) => t.type === type);

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'apps', 'console', 'dist', 'index.html'))) {
      execFileSync('npm', ['run', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
    }
    env = await createTestEnv('browser_ops', { JWT_SECRET, ADMIN_PASSWORD });
    const started = await Promise.allSettled([
      startProcess('api', 'apps/api/src/main.ts', { ...env.env, API_PORT: '0', API_HOST: '127.0.0.1' }, START_MS),
      startProcess('worker', 'apps/worker/src/main.ts', { ...env.env, WORKER_METRICS_PORT: '0' }, START_MS),
      startProcess('scheduler', 'apps/scheduler/src/main.ts', { ...env.env, SCHEDULER_METRICS_PORT: '0' }, START_MS),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
    ]);
    processes = started.flatMap((r, i) => (r.status === 'fulfilled' && i < 3 ? [r.value as RunningProcess] : []));
    if (started[3].status === 'fulfilled') browser = started[3].value;
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    api = new Api(`http://127.0.0.1:${processes[0].port}`);
    admin = await api.login('admin', ADMIN_PASSWORD);
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await login(page, 'admin', ADMIN_PASSWORD);
  }, START_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(processes.map((p) => p.kill()));
    await env?.cleanup();
  });

  it('pauses and resumes a task type and sets its rate limit from the Queues page', async () => {
    await page.locator(sel('nav-queues')).click();
    const row = page.locator(sel('type-row', { type: 'example_report' }));
    await row.waitFor();
    await row.locator(sel('pause-button', { target: 'type:example_report' })).click();
    await page.locator(sel('type-row', { type: 'example_report', paused: 'true' })).waitFor();
    expect(await typeOf('example_report')).toMatchObject({ paused: true });

    await page.locator(sel('resume-button', { target: 'type:example_report' })).click();
    await page.locator(sel('type-row', { type: 'example_report', paused: 'false' })).waitFor();
    expect(await typeOf('example_report')).toMatchObject({ paused: false });

    await page.locator(sel('rate-limit-edit', { type: 'example_report' })).click();
    await page.locator(`${sel('rate-limit-max')} input, input${sel('rate-limit-max')}`).first().fill('5');
    await page.locator(`${sel('rate-limit-interval')} input, input${sel('rate-limit-interval')}`).first().fill('2000');
    await page.locator(sel('rate-limit-save')).click();
    await page.locator(sel('type-rate-limit', { type: 'example_report' })).filter({ hasText: '5 / 2 s' }).waitFor();
    expect(await typeOf('example_report')).toMatchObject({ rate_limit_override: { max: 5, interval_ms: 2_000 } });
  });

  it('pauses a whole queue from its card', async () => {
    const card = page.locator(sel('queue-card', { queue: 'taskyard-default' }));
    await card.waitFor();
    await card.locator(sel('pause-button', { target: 'queue:taskyard-default' })).click();
    await page.locator(sel('queue-card', { queue: 'taskyard-default', paused: 'true' })).waitFor();
    await page.locator(sel('resume-button', { target: 'queue:taskyard-default' })).click();
    await page.locator(sel('queue-card', { queue: 'taskyard-default', paused: 'false' })).waitFor();
  });

  it('shows the live worker and the leader scheduler on the Fleet page', async () => {
    await page.locator(sel('nav-fleet')).click();
    await page.locator(sel('fleet-worker', { pid: String(processes[1].child.pid) })).waitFor();
    await page.locator(sel('fleet-scheduler', { leader: 'true' })).waitFor();
  });

  it('lists each attempt of a task on its detail page', async () => {
    const task = await api.startReport(admin, { steps: 2, step_ms: 50, fail_at_step: 1, fail_attempts: 1, max_retries: 1 });
    await api.finished(admin, task.id);
    await page.goto(`${api.base}/tasks/${task.id}`);
    const attempts = page.locator(sel('task-attempts'));
    await attempts.locator(sel('attempt-outcome', { outcome: 'success' })).waitFor();
    expect(await attempts.locator(sel('attempt-outcome')).evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['failed', 'success']);
  });

  it('hides the operator pages from a viewer', async () => {
    await api.user(admin, 'ops-ui-viewer', ['viewer']);
    const viewerPage = await (await browser.newContext()).newPage();
    viewerPage.setDefaultTimeout(UI_TIMEOUT);
    await login(viewerPage, 'ops-ui-viewer', 'ops-ui-viewer-password');
    await viewerPage.locator(sel('nav-tasks')).waitFor();
    expect(await viewerPage.locator(sel('nav-queues')).count()).toBe(0);
    expect(await viewerPage.locator(sel('nav-fleet')).count()).toBe(0);
    await viewerPage.goto(`${api.base}/fleet`);
    // Sent back to the task list instead.
    await viewerPage.waitForURL(/\/tasks$/);
    expect(await viewerPage.locator(sel('fleet-page')).count()).toBe(0);
  });
});
