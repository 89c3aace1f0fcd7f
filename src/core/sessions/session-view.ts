// What the monitor may read of the sessions with a live process: no way to change them.
import type { Session } from './session.js';

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
