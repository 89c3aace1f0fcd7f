// The reconnect buffer: bounded by count and bytes, never dropping the turn in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachedSession } from '../src/testing/detached-session.js';

const session = () => detachedSession('11111111-2222-4333-8444-555555555555');

test('old events go past 5,000 events; eventsAfter reports when it no longer reaches back', () => {
  const s = session();
  const first = s.emit({ type: 'stream_delta', delta: 'a' }).event_id;
  for (let i = 0; i < 6000; i++) s.emit({ type: 'stream_delta', delta: 'b' });
  assert.equal(s.eventsAfter(first), undefined);
  assert.equal(s.eventsAfter(s.lastEventId - 10)?.length, 10);
  assert.deepEqual(s.eventsAfter(s.lastEventId), []);
});

test('large events are bounded by bytes (~4 MB), not only by count', () => {
  const s = session();
  const big = 'x'.repeat(100_000);
  const first = s.emit({ type: 'tool_result', tool_use_id: 't', result: { output: big }, status: 'success', duration_ms: 1 }).event_id;
  for (let i = 0; i < 100; i++)
    s.emit({ type: 'tool_result', tool_use_id: 't', result: { output: big }, status: 'success', duration_ms: 1 });
  assert.equal(s.eventsAfter(first), undefined, 'the oldest large events were dropped');
  const kept = s.eventsAfter(s.lastEventId - 40);
  assert.equal(kept?.length, 40, 'about 40 events of 100 kB fit in 4 MB');
});

test('the turn in flight is kept whole, however large', () => {
  const s = session();
  const turn = s.startTurn('go');
  const big = 'y'.repeat(100_000);
  for (let i = 0; i < 100; i++) s.emit({ type: 'stream_delta', delta: big });
  const replay = s.eventsAfter(turn.startEventId);
  assert.equal(replay?.length, 101, 'turn_started plus every delta');
  s.failTurn('ended', 'retry');
  s.emit({ type: 'stream_delta', delta: 'z' });
  assert.equal(s.eventsAfter(turn.startEventId), undefined, 'trimmed once the turn ended');
});

test('a dormant session drops its buffer: a reconnect gets the history, new events still get higher ids', () => {
  const s = session();
  const first = s.emit({ type: 'stream_delta', delta: 'a' }).event_id;
  s.emit({ type: 'stream_delta', delta: 'b' });
  s.evict();
  assert.equal(s.eventsAfter(first), undefined, 'no longer reaches back: history instead');
  const next = s.emit({ type: 'stream_delta', delta: 'c' }).event_id;
  assert.ok(next > first + 1);
  assert.equal(s.eventsAfter(next - 1)?.length, 1);
});
