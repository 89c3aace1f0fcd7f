// What changed in the open session's working folder: fetched when the session changes, when
// the panel asks, and after each finished file-changing tool call (`revision`).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChangesResponse } from '../../protocol/workspace';
import { workspaceApi } from '../workspace-api';

export interface WorkspaceChanges {
  changes: ChangesResponse | null;
  error: string | null;
  loading: boolean;
  refresh: () => void;
}

export function useWorkspaceChanges(sessionId: string | null, revision: number): WorkspaceChanges {
  const [data, setData] = useState<{ id: string; changes: ChangesResponse } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision and tick are the triggers
  useEffect(() => {
    if (!sessionId) return;
    const call = ++latest.current;
    setLoading(true);
    workspaceApi.changes(sessionId).then(
      (c) => {
        if (call !== latest.current) return;
        setData({ id: sessionId, changes: c });
        setError(null);
        setLoading(false);
      },
      (e: Error) => {
        if (call !== latest.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  }, [sessionId, revision, tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  // Another session's answer is never shown as this one's.
  const changes = data && data.id === sessionId ? data.changes : null;
  return { changes, error: changes ? error : sessionId ? error : null, loading, refresh };
}
