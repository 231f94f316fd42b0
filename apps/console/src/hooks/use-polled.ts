import { useCallback, useEffect, useRef, useState } from 'react';

/** Loads `fetcher` now and every `intervalMs`; `reload` re-reads at once (after an action). */
export function usePolled<T>(fetcher: (signal: AbortSignal) => Promise<T>, intervalMs: number) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    try {
      setData(await fetcherRef.current(current.signal));
      setError(null);
    } catch (err) {
      if (!current.signal.aborted) setError(err);
    }
  }, []);

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), intervalMs);
    return () => {
      clearInterval(timer);
      controller.current?.abort();
    };
  }, [reload, intervalMs]);

  return { data, error, reload, setData };
}
