// Read-only views of sessions: what the monitor may read of the ones with a live
// process, and a session's detail (its process and memory).
import type { SessionDetailResponse } from '../../protocol/messages.js';
import { snapshotAsync, treeRss } from '../cli/process-tree.js';
import type { Session } from './session.js';

/** The summary plus its process and memory; /proc is read without blocking the event loop. */
export async function sessionDetail(s: Session): Promise<SessionDetailResponse> {
  const pid = s.hasLiveProcess ? (s.proc?.pid ?? null) : null;
  const rss_mb = pid === null ? null : Math.round((treeRss(pid, await snapshotAsync()) / 1048576) * 10) / 10;
  return { ...s.summary(), subprocess_pid: pid, rss_mb };
}

export interface SessionView {
  readonly id: string;
  readonly pid: number;
  readonly runStartedAt: number;
  readonly lastUserMessageAt: number;
  readonly memoryGraceUntil: number;
  readonly warnedDuration: boolean;
  readonly turnInFlight: boolean;
}

export function liveSessionViews(sessions: Iterable<Session>): SessionView[] {
  const out: SessionView[] = [];
  for (const s of sessions) {
    const pid = s.proc?.pid;
    if (!s.hasLiveProcess || pid == null) continue;
    const { id, runStartedAt, lastUserMessageAt, memoryGraceUntil, warnedDuration } = s;
    out.push({ id, pid, runStartedAt, lastUserMessageAt, memoryGraceUntil, warnedDuration, turnInFlight: s.turn !== null });
  }
  return out;
}
