import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { Channels, type TaskEvent } from '@taskyard/contracts';
import { migrate } from '@taskyard/persistence';
import { EXPIRED_ERROR } from '@taskyard/tasks';
import { Api, type HttpResult } from '../api/support/api-harness';
import { startPlatform, type Platform } from '../support/platform';
import type { RunningProcess } from '../support/processes';
import { FAST_TIMINGS, waitFor } from '../support/test-env';
import { EVERY_SECOND } from '../support/test-task-types';
import { Fleet, leaderGauge } from './support/fleet';
import { createLoad, outcomeOf, rows, TERMINAL, type TaskRow, type Tracked } from './support/load';
import { PrivatePostgres, PrivateRedis } from './support/servers';

const JWT_SECRET = 'faults-jwt-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'faults-admin-pass-5678';
const SCHEMA = 'faults';
const REDIS_PASSWORD = 'faults-redis-pass-9012';

/** What one fault did to the platform, for the report printed at the end. */
interface FaultReport {
  fault: string;
  outageSeconds: number;
  /** From the end of the outage (or the instant fault) to the first new task completed end to end. */
  recoverySeconds: number;
  /** From the injection until every task of the phase reached its terminal state. */
  drainSeconds: number;
  tasks: number;
  lost: number;
  api: string;
  detail: string;
}

interface ApiWatch {
  statuses: Map<string, number>;
  bad: string[];
  stop(): Promise<void>;
}

describe('fault injection: a whole topology keeps every accepted task and one outcome per attempt', () => {
  const postgres = new PrivatePostgres();
  const redis = new PrivateRedis(REDIS_PASSWORD);
  let env: Record<string, string>;
  let platform: Platform;
  let fleet: Fleet;
  let api: Api;
  let token: string;
  let events: IORedis;
  const tracked = new Map<string, Tracked>();
  /** First terminal row seen per task: it must never change afterwards. */
  const firstOutcome = new Map<string, string>();
  /** Terminal status events seen per task (a second one would be a second recorded outcome). */
  const terminalEvents = new Map<string, string[]>();
  const reports: FaultReport[] = [];
  let scheduleOnAt = 0;

  const track = (t: Tracked) => tracked.set(t.id, t);

  beforeAll(async () => {
    await Promise.all([postgres.init(), redis.start()]);
    await migrate({ url: postgres.url, schema: SCHEMA });
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: postgres.url,
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'tyfaults',
      ...FAST_TIMINGS,
      // Every fault may cost a run its worker; the poison limit must not turn them into failures.
      MAX_RECOVERIES: '20',
      JWT_SECRET,
    };
    events = new IORedis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    events.on('error', () => undefined);
    events.on('message', (_channel: string, message: string) => {
      for (const e of JSON.parse(message) as TaskEvent[]) {
        if (e.type === 'status' && TERMINAL.includes(e.status)) terminalEvents.set(e.task_id, [...(terminalEvents.get(e.task_id) ?? []), e.status]);
      }
    });
    await events.subscribe(`tyfaults:ch:${Channels.TaskEvents}`);
    platform = await startPlatform(env);
    fleet = new Fleet(env);
    await fleet.start({ ADMIN_PASSWORD, LOG_LEVEL: 'info' });
    api = new Api(`http://127.0.0.1:${fleet.api.port}`);
    token = await api.login('admin', ADMIN_PASSWORD);
    await platform.schedules.toggle(EVERY_SECOND, true);
    scheduleOnAt = Date.now();
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    events?.disconnect();
    await redis.kill();
    await postgres.destroy();
    if (reports.length > 0) {
      const lines = reports.map(
        (r) => `| ${r.fault} | ${r.outageSeconds.toFixed(1)} | ${r.recoverySeconds.toFixed(1)} | ${r.drainSeconds.toFixed(1)} | ${r.tasks} | ${r.lost} | ${r.api} | ${r.detail} |`,
      );
      console.log(['| fault | outage s | recovery s | drain s | tasks | lost | api | detail |', '|---|---|---|---|---|---|---|---|', ...lines].join('\n'));
    }
  });

  // ---- helpers --------------------------------------------------------------------------

  /** Retries an action until the platform accepts it (PostgreSQL may be down meanwhile). */
  const eventually = <T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000) =>
    waitFor(async () => ({ value: await fn() }), timeoutMs, what).then((r) => r.value);

  /** The worker process that runs `taskId` now, from the row's worker id (host-pid-random). */
  const ownerOf = async (taskId: string): Promise<RunningProcess | undefined> => {
    const [row] = await platform.db.rows<{ worker_id: string | null }>(`SELECT worker_id FROM tasks WHERE id = $1 AND status = 'running'`, [taskId]);
    const pid = Number(row?.worker_id?.split('-').at(-2));
    return fleet.workers.find((w) => w.child.pid === pid);
  };

  const leader = async (): Promise<RunningProcess | undefined> => {
    for (const s of fleet.schedulers) if ((await leaderGauge(s)) === 1) return s;
    return undefined;
  };

  /** Polls readiness and two authenticated routes; any 5xx other than a 503 (E503x) is a failure. */
  const watchApi = (): ApiWatch => {
    const statuses = new Map<string, number>();
    const bad: string[] = [];
    let running = true;
    const note = (what: string, res: HttpResult) => {
      const code = typeof res.body?.code === 'string' ? (res.body.code as string) : '';
      const key = `${what} ${res.status}${code ? ` ${code}` : ''}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const acceptable503 = res.status === 503 && (what === 'ready' || /^E503[01]$/.test(code));
      if (res.status === 0 || (res.status >= 500 && !acceptable503)) bad.push(`${key}: ${res.text.slice(0, 200)}`);
    };
    const loop = (async () => {
      while (running) {
        const checks: [string, Promise<HttpResult>][] = [
          ['ready', api.get('/health/ready')],
          ['GET /api/tasks', api.get('/api/tasks?page_size=1', token)],
          ['POST ticket', api.post('/api/tasks/events/ticket', token)],
        ];
        for (const [what, pending] of checks) {
          const res = await pending.catch((err: Error): HttpResult => ({ status: 0, headers: new Headers(), body: undefined, text: err.message }));
          note(what, res);
        }
        await sleep(150);
      }
    })();
    return {
      statuses,
      bad,
      async stop() {
        running = false;
        await loop;
      },
    };
  };

  const apiRecovered = async () => {
    await waitFor(async () => (await api.get('/health/ready')).status === 200, 60_000, 'api ready again');
    await waitFor(async () => (await api.get('/api/tasks?page_size=1', token)).status === 200, 30_000, 'GET /api/tasks again');
  };

  /** Creates t_echo tasks in a loop; every accepted one is tracked (a refused one is not accepted). */
  const trickle = (phase: string) => {
    let running = true;
    let accepted = 0;
    let refused = 0;
    const loop = (async () => {
      while (running) {
        try {
          const t = await platform.tasks.createTask({}, 't_echo', { payload: { value: `${phase}-trickle-${accepted}` } });
          track({ id: t.id, type: t.type, expected: 'success', phase });
          accepted++;
        } catch {
          refused++;
        }
        await sleep(250);
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return { accepted, refused };
      },
    };
  };

  /** Seconds from `since` until a t_echo created from then on runs to success end to end. */
  const endToEnd = async (phase: string, since: number): Promise<number> => {
    const done = await waitFor(
      async () => {
        const t = await platform.tasks.createTask({}, 't_echo', { payload: { value: `${phase}-probe` } });
        track({ id: t.id, type: t.type, expected: 'success', phase });
        return waitFor(async () => {
          const [row] = await rows(platform, [t.id]);
          return row?.status === 'success' ? row : null;
        }, 4_000, 'probe');
      },
      90_000,
      `${phase}: a new task to run end to end`,
    );
    return Math.max(0, (done.finished_at!.getTime() - since) / 1000);
  };

  /** Cancels the load's long tasks midway, retrying while a dependency is down. */
  const cancelMidway = async (load: Tracked[]) => {
    const requested = async (id: string) => (await platform.db.rows<{ c: boolean }>(`SELECT cancel_requested AS c FROM tasks WHERE id = $1`, [id]))[0]?.c === true;
    for (const t of load.filter((l) => l.cancelVia)) {
      await eventually(`cancel ${t.id} (${t.cancelVia})`, async () => {
        try {
          if (t.cancelVia === 'service') {
            await platform.tasks.cancelTask(t.id);
          } else {
            const res = await api.post(`/api/tasks/${t.id}/cancel`, token);
            if (res.status !== 200) throw new Error(`cancel answered ${res.status} ${res.text}`);
          }
          return true;
        } catch (err) {
          // The request may have committed before its answer was lost (a restart in between).
          if (await requested(t.id)) return true;
          throw err;
        }
      });
    }
  };

  /** Every task of the phase (and scheduled fires so far) terminal; returns when it happened. */
  const drained = async (phase: string) => {
    const ids = [...tracked.values()].filter((t) => t.phase === phase).map((t) => t.id);
    await waitFor(
      async () => {
        const left = (await rows(platform, ids)).filter((r) => !TERMINAL.includes(r.status));
        return left.length === 0;
      },
      120_000,
      `${phase}: every accepted task to reach a terminal state`,
    ).catch(async (err: Error) => {
      const left = (await rows(platform, ids)).filter((r) => !TERMINAL.includes(r.status));
      throw new Error(`${err.message}\nstill open: ${JSON.stringify(left.slice(0, 5))}`);
    });
    return Date.now();
  };

  /** The invariants, over every task seen so far. Returns how many outcomes were lost (0). */
  const verify = async (): Promise<number> => {
    const all = await rows(platform, [...tracked.keys()]);
    expect(all).toHaveLength(tracked.size);
    const problems: string[] = [];
    for (const row of all) {
      const t = tracked.get(row.id)!;
      if (TERMINAL.includes(row.status)) {
        if (row.status !== t.expected) problems.push(`${row.id} (${t.type}, ${t.phase}) is ${row.status} (${row.error}), expected ${t.expected}`);
        if (!row.finished_at) problems.push(`${row.id} is ${row.status} without finished_at`);
        if (row.status === 'success' && row.type === 't_echo') {
          const ran = (row.result as { attempt?: number } | null)?.attempt;
          if (ran !== row.attempt) problems.push(`${row.id}: result of attempt ${ran} recorded on attempt ${row.attempt}`);
        }
        if (row.status === 'failed' && row.type === 't_flaky' && row.auto_retry_count !== row.max_retries) {
          problems.push(`${row.id}: failed after ${row.auto_retry_count} retries of ${row.max_retries}`);
        }
        const outcome = outcomeOf(row);
        const first = firstOutcome.get(row.id);
        if (first === undefined) firstOutcome.set(row.id, outcome);
        else if (first !== outcome) problems.push(`${row.id}: outcome changed after it was recorded: ${first} -> ${outcome}`);
      }
    }
    for (const [id, seen] of terminalEvents) {
      if (seen.length > 1) problems.push(`${id}: ${seen.length} terminal transitions published (${seen.join(', ')})`);
    }
    // Scheduled fires: one task per fire time, each success or expired (never run twice).
    const fires = await platform.db.rows<TaskRow>(
      `SELECT id, type, status, attempt, result, error, recoveries, auto_retry_count, max_retries, cron_schedule_id, fire_key, not_before, started_at, finished_at
         FROM tasks WHERE cron_schedule_id = $1`,
      [EVERY_SECOND],
    );
    const perFire = new Map<string, number>();
    for (const f of fires) {
      const key = f.not_before!.toISOString();
      perFire.set(key, (perFire.get(key) ?? 0) + 1);
      if (f.fire_key !== `${EVERY_SECOND}@${new Date(f.not_before!.getTime() + 1_000).toISOString()}`) problems.push(`fire ${f.id} has fire key ${f.fire_key}`);
      if (f.status === 'failed' || (f.status === 'cancelled' && f.error !== EXPIRED_ERROR)) problems.push(`fire ${f.id} ended ${f.status}: ${f.error}`);
      if (f.status === 'success' && (f.result as { attempt?: number } | null)?.attempt !== f.attempt) problems.push(`fire ${f.id}: result attempt mismatch`);
    }
    for (const [fireTime, n] of perFire) if (n > 1) problems.push(`fire at ${fireTime} produced ${n} tasks`);
    problems.push(...fleet.dead());
    expect(problems).toEqual([]);
    return all.filter((r) => TERMINAL.includes(r.status) && r.status !== tracked.get(r.id)!.expected).length;
  };

  /** A cron fire created after `since` (the schedule survived the fault). */
  const firesResume = (since: number) =>
    waitFor(
      async () => {
        const [row] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE cron_schedule_id = $1 AND created_at > $2`, [EVERY_SECOND, new Date(since)]);
        return Number(row.n) > 0;
      },
      45_000,
      'cron fires to resume',
    );

  interface Injected {
    /** When the dependency came back (the injection instant for kills and flushes). */
    restoredAt: number;
    /** A fault-specific measurement for the report. */
    detail?: string;
    /** Runs once recovery is measured (replacing killed processes, as an orchestrator would). */
    after?: () => Promise<void>;
  }

  /**
   * One phase: start the mixed load, wait until long runs are mid-flight, inject, cancel the
   * cancellable tasks midway, then measure recovery and check every invariant.
   */
  const phase = async (name: string, inject: (load: Tracked[]) => Promise<Injected>, expectApi: 'none' | 'E5030' | 'E5031' | 'ready') => {
    const load = await eventually(`${name}: load accepted`, () => createLoad(platform, name));
    load.forEach(track);
    const running = load.filter((t) => t.type === 't_sleep').map((t) => t.id);
    await waitFor(async () => (await rows(platform, running)).every((r) => r.status === 'running'), 30_000, `${name}: long runs to start`);
    const watch = watchApi();
    const feed = trickle(name);
    const injectedAt = Date.now();
    const cancelling = cancelMidway(load);
    const { restoredAt, detail, after } = await inject(load);
    const recoverySeconds = await endToEnd(name, restoredAt);
    await after?.();
    await apiRecovered();
    const { accepted, refused } = await feed.stop();
    await watch.stop();
    await cancelling;
    const doneAt = await drained(name);
    await firesResume(restoredAt);
    const lost = await verify();
    const seen = [...watch.statuses.keys()];
    expect(watch.bad).toEqual([]);
    if (expectApi !== 'none') expect(seen.some((s) => s.startsWith('ready 503'))).toBe(true);
    if (expectApi === 'E5030' || expectApi === 'E5031') expect(seen.some((s) => s.endsWith(` 503 ${expectApi}`))).toBe(true);
    const phaseTasks = [...tracked.values()].filter((t) => t.phase === name).length;
    reports.push({
      fault: name,
      outageSeconds: (restoredAt - injectedAt) / 1000,
      recoverySeconds,
      drainSeconds: (doneAt - injectedAt) / 1000,
      tasks: phaseTasks,
      lost,
      detail: detail ?? '',
      api: expectApi === 'none' ? `no 5xx (refused creates: ${refused}, accepted: ${accepted})` : seen.filter((s) => / 503/.test(s)).join(', '),
    });
  };

  /** A t_sleep of the load that runs on a worker right now, and that worker. */
  const busyWorker = async (load: Tracked[]) =>
    waitFor(async () => {
      for (const t of load.filter((l) => l.type === 't_sleep' && !l.cancelVia)) {
        const owner = await ownerOf(t.id);
        if (owner) return { task: t, owner };
      }
      return null;
    }, 20_000, 'a worker running a long task');

  const redisDown = async (seconds: number) => {
    await redis.kill();
    await sleep(seconds * 1000);
    await redis.start();
  };

  const postgresRestart = async (downSeconds: number) => {
    // What `pg_ctlcluster ... restart` does (fast shutdown, start), held down a few seconds so
    // the api is seen answering 503 meanwhile.
    await postgres.stop('fast');
    await sleep(downSeconds * 1000);
    await postgres.start();
  };

  // ---- the faults, one at a time -------------------------------------------------------

  /**
   * Faults build on each other's topology and every check covers all tasks so far: after a
   * failure the rest would only time out, so they fail fast instead.
   */
  let broken = '';
  const fault = (title: string, fn: () => Promise<void>) =>
    it(title, async () => {
      if (broken) throw new Error(`not run: an earlier fault failed (${broken})`);
      try {
        await fn();
      } catch (err) {
        broken = title;
        throw err;
      }
    });

  fault('SIGKILL of a worker mid-task: the run is recovered on another worker', async () => {
    await phase('worker SIGKILL', async (load) => {
      const { task, owner } = await busyWorker(load);
      const at = Date.now();
      await fleet.sigkill(owner);
      const row = await waitFor(async () => {
        const [r] = await rows(platform, [task.id]);
        return r.status === 'success' && r.recoveries >= 1 ? r : null;
      }, 60_000, 'the killed run to be recovered and finished');
      return {
        restoredAt: at,
        detail: `killed run re-ran to success ${((row.finished_at!.getTime() - at) / 1000).toFixed(1)} s after the kill (3 s run; attempt ${row.attempt})`,
        after: async () => void fleet.workers.push(await fleet.spawnWorker()),
      };
    }, 'none');
  });

  fault('SIGKILL of the leader scheduler: the other takes over reaping and cron', async () => {
    await phase('leader scheduler SIGKILL', async () => {
      const current = await waitFor(() => leader(), 20_000, 'a leader');
      const at = Date.now();
      await fleet.sigkill(current);
      const survivor = fleet.schedulers[0];
      await waitFor(async () => (await leaderGauge(survivor)) === 1, 30_000, 'the surviving scheduler to lead');
      return {
        restoredAt: at,
        detail: `survivor led ${((Date.now() - at) / 1000).toFixed(1)} s after the kill (lease 2.5 s)`,
        after: async () => void fleet.schedulers.push(await fleet.spawnScheduler()),
      };
    }, 'none');
  });

  fault('Redis FLUSHALL: every pending and running task is re-enqueued from PostgreSQL', async () => {
    await phase('Redis FLUSHALL', async () => {
      const at = Date.now();
      expect(await redis.command((r) => r.flushall())).toBe('OK');
      return { restoredAt: at };
    }, 'none');
  });

  fault('Redis restart (down 3 s, data lost): 503 meanwhile, nothing lost', async () => {
    await phase('Redis restart', async () => {
      await redisDown(3);
      return { restoredAt: Date.now() };
    }, 'E5031');
  });

  fault('Redis paused 4 s (CLIENT PAUSE ALL): requests wait or get 503, nothing lost', async () => {
    await phase('Redis CLIENT PAUSE 4 s', async () => {
      await redis.command((r) => r.call('CLIENT', 'PAUSE', '4000', 'ALL'));
      await sleep(4_000);
      return { restoredAt: Date.now() };
      // A pause is not an outage: requests may simply wait it out, so a 503 is allowed, not required.
    }, 'none');
  });

  fault('PostgreSQL restart (down 3 s): 503 E5030 meanwhile, outcomes kept, live runs not re-run', async () => {
    const name = 'PostgreSQL restart';
    let straddling: string[] = [];
    await phase(name, async () => {
      // Runs that outlive the outage on healthy workers: their heartbeats fail meanwhile, but
      // their workers never died, so none may be reaped and run a second time.
      const long = await platform.tasks.createTasks({}, Array.from({ length: 4 }, () => ({ type: 't_sleep', payload: { ms: 10_000, steps: 50 } })));
      long.forEach((t) => track({ id: t.id, type: t.type, expected: 'success', phase: name }));
      straddling = long.map((t) => t.id);
      await waitFor(async () => (await rows(platform, straddling)).every((r) => r.status === 'running'), 20_000, 'straddling runs to start');
      await postgresRestart(3);
      return { restoredAt: Date.now() };
    }, 'E5030');
    const reRun = (await rows(platform, straddling)).filter((r) => r.attempt !== 1 || r.recoveries !== 0);
    expect(reRun.map((r) => ({ id: r.id, attempt: r.attempt, recoveries: r.recoveries }))).toEqual([]);
  });

  fault('SIGTERM rolling restart of every worker, one by one, each replaced', async () => {
    const name = 'rolling worker restart';
    await phase(name, async () => {
      const drains: string[] = [];
      for (const old of [...fleet.workers]) {
        // Runs longer than the drain deadline (5 s) in flight on every worker: some are handed back.
        const long = await eventually('long runs accepted', () => platform.tasks.createTasks({}, Array.from({ length: 6 }, () => ({ type: 't_sleep', payload: { ms: 8_000, steps: 40 } }))));
        long.forEach((t) => track({ id: t.id, type: t.type, expected: 'success', phase: name }));
        await waitFor(async () => (await rows(platform, long.map((t) => t.id))).every((r) => r.status === 'running'), 20_000, 'long runs to start');
        const termAt = Date.now();
        const stopped = fleet.sigterm(old).then((exit) => ({ exit, seconds: (Date.now() - termAt) / 1000 }));
        const [{ exit, seconds }, replacement] = await Promise.all([stopped, fleet.spawnWorker()]);
        fleet.workers.push(replacement);
        expect(exit).toEqual({ code: 0, signal: null });
        // Drain deadline 5 s, then hand-back and close: the process must not hang past it.
        expect(seconds).toBeLessThan(10);
        drains.push(seconds.toFixed(1));
      }
      const handedBack = fleet.retired
        .slice(-3)
        .flatMap((r) => r.process.output)
        .map((line) => /handing running tasks back".*?"count":(\d+)/.exec(line)?.[1])
        .reduce((sum, n) => sum + Number(n ?? 0), 0);
      return { restoredAt: Date.now(), detail: `SIGTERM to exit ${drains.join(' / ')} s (drain deadline 5 s), exit 0 each; ${handedBack} runs handed back and re-run` };
    }, 'none');
  });

  fault('several at once: worker SIGKILL + leader SIGKILL + Redis FLUSHALL + PostgreSQL restart', async () => {
    await phase('combined', async (load) => {
      const { owner } = await busyWorker(load);
      const lead = await waitFor(() => leader(), 20_000, 'a leader');
      const started = Date.now();
      await fleet.sigkill(owner);
      await fleet.sigkill(lead);
      await redis.command((r) => r.flushall());
      await postgresRestart(2);
      return {
        restoredAt: Date.now(),
        detail: `all four injected within ${((Date.now() - started) / 1000).toFixed(1)} s`,
        after: async () => {
          const [worker, scheduler] = await Promise.all([fleet.spawnWorker(), fleet.spawnScheduler()]);
          fleet.workers.push(worker);
          fleet.schedulers.push(scheduler);
        },
      };
    }, 'E5030');
  });

  fault('turns the schedule off, and leaves every process running with clean exits for the retired ones', async () => {
    await eventually('schedule off', () => platform.schedules.toggle(EVERY_SECOND, false));
    await sleep(2_500);
    const offAt = Date.now();
    const fires = await platform.db.rows<{ id: string }>(`SELECT id FROM tasks WHERE cron_schedule_id = $1`, [EVERY_SECOND]);
    await waitFor(async () => (await rows(platform, fires.map((f) => f.id))).every((r) => TERMINAL.includes(r.status)), 60_000, 'every fire terminal');
    await sleep(2_000);
    const [late] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE cron_schedule_id = $1 AND created_at > $2`, [EVERY_SECOND, new Date(offAt)]);
    expect(Number(late.n)).toBe(0);
    // Roughly one fire a second while it was on (fires missed during outages are not re-made).
    expect(fires.length).toBeGreaterThan((offAt - scheduleOnAt) / 1000 / 3);
    expect(await verify()).toBe(0);
    expect(fleet.dead()).toEqual([]);
    expect(await fleet.badExits()).toEqual([]);
    // Hours of error paths (connection refused, resets, shutdowns): no secret in any log line.
    const everyProcess = [...fleet.all(), ...fleet.retired.map((r) => r.process)];
    const logs = everyProcess.map((p) => p.output.join('\n')).join('\n');
    if (process.env.FAULTS_LOG_DIR) for (const p of everyProcess) writeFileSync(join(process.env.FAULTS_LOG_DIR, `${p.name}.log`), p.output.join('\n'));
    const secrets = { 'admin password': ADMIN_PASSWORD, 'JWT secret': JWT_SECRET, 'Redis password': REDIS_PASSWORD, 'admin token signature': token.split('.')[2] };
    expect(Object.entries(secrets).filter(([, v]) => logs.includes(v)).map(([k]) => k)).toEqual([]);
    // Every runner cancelled here (t_sleep) honours its signal: none may be reported as ignoring it.
    expect(logs.split('\n').filter((l) => l.includes('ignored cancellation'))).toEqual([]);
    console.log(`tasks tracked: ${tracked.size}, scheduled fires: ${fires.length}, terminal events seen: ${terminalEvents.size}`);
  });
});
