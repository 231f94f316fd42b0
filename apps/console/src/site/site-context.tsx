import type { TaskDto, TaskEvent } from '@taskyard/contracts';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { tasksApi } from '../api/endpoints';
import { useProfile } from '../auth/auth-context';
import { useTaskEvents, type StreamState } from '../hooks/use-task-events';
import { applyTaskEvent, mergeFetchedTasks } from '../lib/task-events';

/** Polling periods of the header dropdown when the event stream is unavailable (as the seed). */
const POLL_OPEN_MS = 3_000;
const POLL_CLOSED_MS = 60_000;
const MAX_RECENT = 10;

interface SiteContextValue {
  recentTasks: TaskDto[];
  loading: boolean;
  error: unknown;
  dropdownOpen: boolean;
  setDropdownOpen: (open: boolean) => void;
  /** A page created a task for the caller: show it in the header dropdown and open it. */
  addTask: (task: TaskDto) => void;
  refreshRecentTasks: () => Promise<void>;
  streamState: StreamState;
}

const SiteContext = createContext<SiteContextValue | null>(null);

function mergeTask(list: TaskDto[], task: TaskDto): TaskDto[] {
  const rest = list.filter((t) => t.id !== task.id);
  return [task, ...rest].slice(0, MAX_RECENT);
}

export function SiteProvider({ children }: { children: ReactNode }) {
  const profile = useProfile();
  const [recentTasks, setRecentTasks] = useState<TaskDto[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [dropdownOpen, setDropdownOpen] = useState(false);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const knownIds = useRef(new Set<string>());

  const refreshRecentTasks = useCallback(async () => {
    try {
      const tasks = await tasksApi.userTasks();
      setRecentTasks((shown) => (Array.isArray(tasks) ? mergeFetchedTasks(shown, tasks.slice(0, MAX_RECENT)) : []));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    knownIds.current = new Set(recentTasks.map((t) => t.id));
  }, [recentTasks]);

  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      void refreshRecentTasks();
    }, 300);
  }, [refreshRecentTasks]);

  useEffect(() => {
    void refreshRecentTasks();
    return () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    };
  }, [refreshRecentTasks]);

  const onEvent = useCallback(
    (event: TaskEvent) => {
      const known = knownIds.current.has(event.task_id);
      if (event.type === 'deleted') {
        if (known) setRecentTasks((list) => list.filter((t) => t.id !== event.task_id));
        return;
      }
      if (known) {
        setRecentTasks((list) => list.map((t) => applyTaskEvent(t, event)));
        // Status changes bring fields the event does not carry (artifact, result, timestamps).
        if (event.type === 'status') scheduleRefresh();
      } else if (event.type === 'status' && event.creator_id === profile.id) {
        // One of the caller's tasks we have not seen (started in another tab or by a module).
        scheduleRefresh();
      }
    },
    [profile.id, scheduleRefresh],
  );

  const { state: streamState } = useTaskEvents({
    onEvent,
    poll: refreshRecentTasks,
    pollIntervalMs: dropdownOpen ? POLL_OPEN_MS : POLL_CLOSED_MS,
  });

  useEffect(() => {
    if (dropdownOpen) void refreshRecentTasks();
  }, [dropdownOpen, refreshRecentTasks]);

  const addTask = useCallback(
    (task: TaskDto) => {
      setRecentTasks((list) => mergeTask(list, task));
      setDropdownOpen(true);
      scheduleRefresh();
    },
    [scheduleRefresh],
  );

  const value = useMemo<SiteContextValue>(
    () => ({ recentTasks, loading, error, dropdownOpen, setDropdownOpen, addTask, refreshRecentTasks, streamState }),
    [recentTasks, loading, error, dropdownOpen, addTask, refreshRecentTasks, streamState],
  );
  return <SiteContext.Provider value={value}>{children}</SiteContext.Provider>;
}

export function useSite(): SiteContextValue {
  const value = useContext(SiteContext);
  if (!value) throw new Error('useSite must be used inside <SiteProvider>');
  return value;
}
