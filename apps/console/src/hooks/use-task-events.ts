import type { TaskEvent } from '@taskyard/contracts';
import { useEffect, useRef, useState } from 'react';
import { buildUrl, isApiRequestError } from '../api/client';
import { tasksApi } from '../api/endpoints';

/**
 * Live task events over Server-Sent Events, with polling as the fallback.
 *
 * An EventSource cannot send the Bearer header, so each connection first trades the token for
 * a short-lived single-use ticket (`POST /api/tasks/events/ticket`) and opens
 * `/api/tasks/events?ticket=...`. Because the ticket is single-use, the browser's own
 * auto-reconnect would replay a spent ticket: on any error the stream is closed and reopened
 * with a fresh ticket after a backoff. While it is down, subscribers poll instead.
 *
 * Components that watch the same scope (all visible tasks, or one task id) share one
 * connection, so the header dropdown and the task list never open two streams.
 */

export type StreamState = 'connecting' | 'open' | 'down';

const EVENT_TYPES: readonly TaskEvent['type'][] = ['status', 'progress', 'log', 'deleted'];
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

type EventListener = (event: TaskEvent) => void;
type StateListener = (state: StreamState) => void;

function isTaskEvent(value: unknown): value is TaskEvent {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { type?: unknown; task_id?: unknown };
  return typeof candidate.task_id === 'string' && EVENT_TYPES.includes(candidate.type as TaskEvent['type']);
}

class TaskEventChannel {
  state: StreamState = 'connecting';
  private readonly eventListeners = new Set<EventListener>();
  private readonly stateListeners = new Set<StateListener>();
  private source: EventSource | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private generation = 0;
  private stopped = false;

  constructor(private readonly taskId: string | undefined) {}

  subscribe(onEvent: EventListener, onState: StateListener): () => void {
    this.eventListeners.add(onEvent);
    this.stateListeners.add(onState);
    return () => {
      this.eventListeners.delete(onEvent);
      this.stateListeners.delete(onState);
    };
  }

  get idle(): boolean {
    return this.eventListeners.size === 0;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.source?.close();
    this.source = null;
  }

  private setState(state: StreamState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let ticket: string;
    try {
      ticket = (await tasksApi.eventsTicket()).ticket;
    } catch (error) {
      // A 401 already sent the user to /login; stop trying until someone subscribes again.
      if (isApiRequestError(error) && error.isUnauthorized) {
        this.setState('down');
        return;
      }
      if (generation === this.generation) this.fail();
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    if (!ticket) {
      this.fail();
      return;
    }

    const source = new EventSource(buildUrl('/api/tasks/events', { ticket, task_id: this.taskId }));
    this.source = source;
    source.onopen = () => {
      if (generation !== this.generation) return;
      this.failures = 0;
      this.setState('open');
    };
    source.onerror = () => {
      if (generation !== this.generation) return;
      source.close();
      this.source = null;
      this.fail();
    };
    const onMessage = (message: MessageEvent<string>) => {
      if (generation !== this.generation) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!isTaskEvent(parsed)) return;
      for (const listener of [...this.eventListeners]) listener(parsed);
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onMessage);
  }

  private fail(): void {
    if (this.stopped) return;
    this.setState('down');
    this.failures += 1;
    const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.failures - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.connect();
    }, delay);
  }
}

const channels = new Map<string, TaskEventChannel>();

function acquireChannel(taskId: string | undefined): TaskEventChannel {
  const key = taskId ?? '*';
  let channel = channels.get(key);
  if (!channel) {
    channel = new TaskEventChannel(taskId);
    channels.set(key, channel);
    channel.start();
  }
  return channel;
}

function releaseChannel(taskId: string | undefined, channel: TaskEventChannel): void {
  if (!channel.idle) return;
  channel.stop();
  const key = taskId ?? '*';
  if (channels.get(key) === channel) channels.delete(key);
}

export interface UseTaskEventsOptions {
  /** Only events of this task (server-side `task_id` filter); all visible tasks when omitted. */
  taskId?: string;
  /** Subscribe at all (e.g. only once the user is signed in). Default true. */
  enabled?: boolean;
  /** Called for every event, always with the latest closure. */
  onEvent: (event: TaskEvent) => void;
  /**
   * Refreshes the data from the REST API. Called every `pollIntervalMs` while the stream is
   * down, and once whenever the stream (re)opens, to catch what was not streamed.
   */
  poll?: () => void | Promise<void>;
  /** Polling period while the stream is down; `null` disables polling. */
  pollIntervalMs?: number | null;
}

export interface UseTaskEventsResult {
  state: StreamState;
  /** True while events arrive over SSE (no polling needed). */
  live: boolean;
}

export function useTaskEvents(options: UseTaskEventsOptions): UseTaskEventsResult {
  const { taskId, enabled = true, pollIntervalMs = null } = options;
  const onEventRef = useRef(options.onEvent);
  const pollRef = useRef(options.poll);
  useEffect(() => {
    onEventRef.current = options.onEvent;
    pollRef.current = options.poll;
  });

  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    if (!enabled) return undefined;
    const channel = acquireChannel(taskId);
    let previous: StreamState = channel.state;
    setState(channel.state);
    const unsubscribe = channel.subscribe(
      (event) => onEventRef.current(event),
      (next) => {
        // Whatever happened between the caller's REST load (or the outage) and the stream
        // opening was not streamed: resync once.
        if (next === 'open' && previous !== 'open') void pollRef.current?.();
        previous = next;
        setState(next);
      },
    );
    return () => {
      unsubscribe();
      releaseChannel(taskId, channel);
    };
  }, [taskId, enabled]);

  useEffect(() => {
    if (!enabled || state !== 'down' || pollIntervalMs === null) return undefined;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      Promise.resolve(pollRef.current?.())
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
        });
    }, pollIntervalMs);
    return () => clearInterval(timer);
  }, [enabled, state, pollIntervalMs]);

  return { state: enabled ? state : 'down', live: enabled && state === 'open' };
}
