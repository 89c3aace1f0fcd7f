// The session list as people scan it: rows grouped by when they were last used (Today, Yesterday,
// Earlier this week, Older), and no row for a session nobody has written in yet (but the open one).
import type { SessionSummary } from '../protocol/messages';

export type GroupName = 'Today' | 'Yesterday' | 'Earlier this week' | 'Older';

const DAY = 86_400_000;

function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The group of a time, seen from `now` (local days; "this week" is the 7 days before yesterday). */
export function groupOf(at: number, now: number): GroupName {
  const today = startOfDay(now);
  if (at >= today) return 'Today';
  if (at >= today - DAY) return 'Yesterday';
  if (at >= today - 7 * DAY) return 'Earlier this week';
  return 'Older';
}

/** Sessions worth a row: those with a message, and the open one. */
export function listedSessions(sessions: SessionSummary[], currentId: string | null): SessionSummary[] {
  return sessions.filter((s) => s.message_count > 0 || s.session_id === currentId);
}

/** The listed sessions in date groups, in the list's order (most recent first). */
export function groupSessions(sessions: SessionSummary[], now: number): { name: GroupName; sessions: SessionSummary[] }[] {
  const groups: { name: GroupName; sessions: SessionSummary[] }[] = [];
  for (const s of sessions) {
    const name = groupOf(Date.parse(s.last_active_at), now);
    const last = groups.at(-1);
    if (last?.name === name) last.sessions.push(s);
    else groups.push({ name, sessions: [s] });
  }
  return groups;
}
