import type { TaskDto, TaskEvent } from '@taskyard/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { tasksApi } from '../../api/endpoints';
import type { TaskListQuery } from '../../api/types';
import { useTaskEvents } from '../../hooks/use-task-events';
import { applyTaskEvent, isActive, mergeFetchedTasks } from '../../lib/task-events';

/** Could a task created by `creatorId` appear under these filters? (Events carry only the creator.) */
function mayMatch(query: TaskListQuery, creatorId: string): boolean {
  if (query.creator_id && query.creator_id !== creatorId) return false;
  // Tasks of the `system` creator are system tasks unless a module chose otherwise.
  if (query.category === 'user' && creatorId === 'system') return false;
  if (query.category === 'system' && creatorId !== 'system') return false;
  return true;
}

/** One page of the task list, kept current by the event stream (or polling). */
export function useTaskList(query: TaskListQuery) {
  const [tasks, setTasks] = useState<TaskDto[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [newTasksHint, setNewTasksHint] = useState(false);

  const requestSeq = useRef(0);
  const load = useCallback(
    async (silent: boolean) => {
      const seq = ++requestSeq.current;
      if (!silent) setLoading(true);
      try {
        const page = await tasksApi.list(query);
        if (seq !== requestSeq.current) return;
        setTasks((shown) => mergeFetchedTasks(shown, page.items));
        setTotal(page.total);
        setError(null);
        setNewTasksHint(false);
      } catch (err) {
        if (seq !== requestSeq.current) return;
        setError(err);
        if (!silent) setTasks([]);
      } finally {
        if (seq === requestSeq.current) setLoading(false);
      }
    },
    [query],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleReload = useCallback(() => {
    if (reloadTimer.current) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void load(true);
    }, 500);
  }, [load]);
  useEffect(
    () => () => {
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    },
    [],
  );

  const visibleIds = useMemo(() => new Set(tasks.map((t) => t.id)), [tasks]);
  const onEvent = useCallback(
    (event: TaskEvent) => {
      if (visibleIds.has(event.task_id)) {
        if (event.type === 'deleted') {
          setTasks((list) => list.filter((t) => t.id !== event.task_id));
          scheduleReload();
          return;
        }
        setTasks((list) => list.map((t) => applyTaskEvent(t, event)));
        if (event.type === 'status') scheduleReload();
      } else if (event.type === 'status' && event.status === 'pending' && mayMatch(query, event.creator_id)) {
        setNewTasksHint(true);
      }
    },
    [visibleIds, scheduleReload, query],
  );

  const hasActive = tasks.some(isActive);
  const { live } = useTaskEvents({
    onEvent,
    poll: () => load(true),
    pollIntervalMs: hasActive ? 5_000 : 30_000,
  });

  return { tasks, setTasks, total, loading, error, newTasksHint, live, load, scheduleReload };
}
