// The tab's title counts the sessions waiting for the person (a permission, a question, a
// plan): "(2) Claude SDK Pattern", so a background tab shows it.
import { useEffect } from 'react';
import type { SessionSummary } from '../../protocol/messages';

export const APP_TITLE = 'Claude SDK Pattern';

export function waitingCount(sessions: SessionSummary[]): number {
  return sessions.filter((s) => s.waiting_for).length;
}

export function useTabTitle(sessions: SessionSummary[]): void {
  const n = waitingCount(sessions);
  useEffect(() => {
    document.title = n > 0 ? `(${n}) ${APP_TITLE}` : APP_TITLE;
  }, [n]);
}
