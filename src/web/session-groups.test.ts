// Issue 18 item 4: date groups, and no row for a session with no message (but the open one).
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../protocol/messages';
import { groupOf, groupSessions, listedSessions } from './session-groups';

const now = new Date(2026, 11, 10, 15, 0).getTime(); // a Thursday afternoon, local time
const at = (daysAgo: number, hour = 12) => new Date(2026, 11, 10 - daysAgo, hour, 0).getTime();

function s(id: string, lastActive: number, messages = 1): SessionSummary {
  return { session_id: id, last_active_at: new Date(lastActive).toISOString(), message_count: messages } as SessionSummary;
}

describe('session list groups', () => {
  it('names the group of a time: Today, Yesterday, Earlier this week, Older', () => {
    expect(groupOf(at(0, 1), now)).toBe('Today');
    expect(groupOf(at(1, 23), now)).toBe('Yesterday');
    expect(groupOf(at(2), now)).toBe('Earlier this week');
    expect(groupOf(at(7), now)).toBe('Earlier this week');
    expect(groupOf(at(9), now)).toBe('Older');
  });

  it('groups rows in order, one heading per group', () => {
    const g = groupSessions([s('a', at(0)), s('b', at(0)), s('c', at(1)), s('d', at(30))], now);
    expect(g.map((x) => [x.name, x.sessions.map((y) => y.session_id)])).toEqual([
      ['Today', ['a', 'b']],
      ['Yesterday', ['c']],
      ['Older', ['d']],
    ]);
  });

  it('lists no session without a message, except the open one', () => {
    const list = [s('used', at(0)), s('empty', at(0), 0), s('open', at(0), 0)];
    expect(listedSessions(list, 'open').map((x) => x.session_id)).toEqual(['used', 'open']);
  });
});
