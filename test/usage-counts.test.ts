// Usage counts a user's open sessions apart: those with a process (live) and those asleep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionCounts } from '../src/core/accounting/usage.js';

test('live processes and sleeping sessions are counted apart; starting ones count as live', () => {
  const sessions = [
    { state: 'active', hasLiveProcess: true },
    { state: 'idle', hasLiveProcess: true },
    { state: 'idle', hasLiveProcess: false }, // its process died: the next message resumes it
    { state: 'dormant', hasLiveProcess: false },
    { state: 'resuming', hasLiveProcess: false },
    { state: 'terminated', hasLiveProcess: false },
  ];
  const c = sessionCounts('u1', { openSessionsOf: () => 5, sessionsOf: () => sessions });
  assert.deepEqual(c, { user_id: 'u1', live: 5, processes: 3, sleeping: 2 });
  assert.deepEqual(sessionCounts('u2', { openSessionsOf: () => 1 }), { user_id: 'u2', live: 1, processes: 1, sleeping: 0 });
});
