import type { TaskLogDto } from '@taskyard/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { tasksApi } from '../api/endpoints';

const LOG_PAGE = 500;
/** Upper bound of pages fetched on first load; the platform caps a task's stored log anyway. */
const INITIAL_MAX_PAGES = 40;
const TAIL_MAX_PAGES = 10;
/** Coalesces bursts of streamed lines into one REST tail. */
const TAIL_DELAY_MS = 250;

/**
 * A task's log, tailed with `GET /api/tasks/:id/logs?after=<last id>`.
 *
 * Streamed lines show at once but stay "pending" until the REST tail returns them: the REST
 * answer is the only thing that moves the `after` cursor, so a line the stream missed (before
 * it opened, or during a reconnect) is still fetched, and the order stays the server's.
 */
export function useTaskLogs(taskId: string) {
  const [confirmed, setConfirmed] = useState<TaskLogDto[]>([]);
  const [pending, setPending] = useState<TaskLogDto[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const confirmedIds = useRef(new Set<string>());
  const cursor = useRef<string | undefined>(undefined);
  const inFlight = useRef<Promise<void> | null>(null);
  const rerun = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const generation = useRef(0);

  const fetchNewer = useCallback(
    async (maxPages: number, gen: number) => {
      for (let page = 0; page < maxPages; page += 1) {
        const lines = await tasksApi.logs(taskId, { after: cursor.current, limit: LOG_PAGE });
        if (gen !== generation.current) return;
        const list = Array.isArray(lines) ? lines : [];
        const fresh = list.filter((line) => !confirmedIds.current.has(line.id));
        if (list.length > 0) cursor.current = list[list.length - 1]?.id ?? cursor.current;
        if (fresh.length > 0) {
          for (const line of fresh) confirmedIds.current.add(line.id);
          setConfirmed((prev) => [...prev, ...fresh]);
          setPending((prev) => prev.filter((line) => !confirmedIds.current.has(line.id)));
        }
        if (list.length < LOG_PAGE) return;
      }
    },
    [taskId],
  );

  /** Fetches every line after the cursor; concurrent calls share one request chain. */
  const tail = useCallback(
    (maxPages = TAIL_MAX_PAGES): Promise<void> => {
      if (inFlight.current) {
        rerun.current = true;
        return inFlight.current;
      }
      const gen = generation.current;
      const run = (async () => {
        try {
          do {
            rerun.current = false;
            await fetchNewer(maxPages, gen);
          } while (rerun.current && gen === generation.current);
          if (gen === generation.current) setError(null);
        } catch (err) {
          if (gen === generation.current) setError(err);
        } finally {
          if (gen === generation.current) {
            inFlight.current = null;
            setLoading(false);
          }
        }
      })();
      inFlight.current = run;
      return run;
    },
    [fetchNewer],
  );

  /** A streamed line: show it now, confirm it (and anything before it) with a REST tail. */
  const pushStreamed = useCallback(
    (line: TaskLogDto) => {
      if (!confirmedIds.current.has(line.id)) {
        setPending((prev) => (prev.some((l) => l.id === line.id) ? prev : [...prev, line]));
      }
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        void tail();
      }, TAIL_DELAY_MS);
    },
    [tail],
  );

  useEffect(() => {
    generation.current += 1;
    confirmedIds.current = new Set();
    cursor.current = undefined;
    inFlight.current = null;
    rerun.current = false;
    setConfirmed([]);
    setPending([]);
    setLoading(true);
    void tail(INITIAL_MAX_PAGES);
    return () => {
      generation.current += 1;
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [tail]);

  const logs = useMemo(
    () => (pending.length === 0 ? confirmed : [...confirmed, ...pending.filter((l) => !confirmedIds.current.has(l.id))]),
    [confirmed, pending],
  );

  return { logs, loading, error, tail, pushStreamed };
}
