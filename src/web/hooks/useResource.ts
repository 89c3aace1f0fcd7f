// Loads something from the REST API for a panel: its data, the error to show, and reload().
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../rest-client';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  reload(): void;
}

export function useResource<T>(load: () => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: n is the reload trigger; load is the caller's
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (e: ApiError) => {
        if (live) setError(e.message);
      },
    );
    return () => {
      live = false;
    };
  }, [n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload };
}

/** Local time of an ISO timestamp, or a dash. */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
