// The session's state table: every allowed move saves once and announces once; every other move throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canTransition, InvalidTransitionError, publicStatus, type SessionState, TRANSITIONS } from '../src/core/sessions/session-state.js';
import { detachedSession } from '../src/testing/detached-session.js';

const SID = '11111111-2222-4333-8444-555555555555';
const STATES = Object.keys(TRANSITIONS) as SessionState[];

function counted(state: SessionState) {
  const n = { save: 0, announce: 0 };
  const s = detachedSession(SID, { save: () => n.save++, announce: () => n.announce++ }, state);
  return { s, n };
}

test('the table: the moves the design names, and no others', () => {
  const expected: Record<SessionState, SessionState[]> = {
    creating: ['ready', 'terminated'],
    ready: ['active', 'idle', 'restarting', 'resuming', 'dormant', 'terminated'],
    idle: ['active', 'restarting', 'resuming', 'dormant', 'terminated'],
    active: ['idle', 'restarting', 'terminated'],
    restarting: ['idle', 'active', 'terminated'],
    resuming: ['idle', 'active', 'dormant', 'terminated'],
    dormant: ['resuming', 'terminated'],
    terminated: ['resuming'],
  };
  for (const from of STATES)
    for (const to of STATES) if (from !== to) assert.equal(canTransition(from, to), expected[from].includes(to), `${from} -> ${to}`);
  // every state can end, and a terminated one can only come back through resuming
  for (const from of STATES) if (from !== 'terminated') assert.ok(canTransition(from, 'terminated'), `${from} -> terminated`);
});

test('every allowed move saves once and announces once, with the public status', () => {
  for (const from of STATES)
    for (const to of TRANSITIONS[from]) {
      const { s, n } = counted(from);
      const announced: string[] = [];
      const s2 = detachedSession(SID, { announce: (x) => announced.push(x.status) }, from);
      s.transition(to, 'test');
      s2.transition(to, 'test');
      assert.deepEqual(n, { save: 1, announce: 1 }, `${from} -> ${to}`);
      assert.equal(s.state, to);
      assert.deepEqual(announced, [publicStatus(to)]);
    }
});

test('a move the table does not allow throws and changes nothing', () => {
  for (const from of STATES)
    for (const to of STATES) {
      if (from === to || canTransition(from, to)) continue;
      const { s, n } = counted(from);
      assert.throws(() => s.transition(to, 'test'), InvalidTransitionError, `${from} -> ${to}`);
      assert.equal(s.state, from);
      assert.deepEqual(n, { save: 0, announce: 0 });
    }
});

test('staying in a state is not a move: nothing saved or announced', () => {
  const { s, n } = counted('idle');
  s.transition('idle', 'test');
  assert.deepEqual(n, { save: 0, announce: 0 });
});

test('public status: starting and restarting processes show as active; dormant is its own status', () => {
  assert.equal(publicStatus('ready'), 'active');
  assert.equal(publicStatus('restarting'), 'active');
  assert.equal(publicStatus('resuming'), 'active');
  assert.equal(publicStatus('dormant'), 'dormant');
  assert.equal(publicStatus('idle'), 'idle');
});

test('failTurn ends the turn once: one stream_error, outcome error, waiters woken', async () => {
  const frames: string[] = [];
  const outcomes: string[] = [];
  const s = detachedSession(SID, {
    publish: (e) => frames.push(e.type),
    turnEnded: (_s, _t, r) => outcomes.push(r.outcome),
  });
  const turn = s.startTurn('hello');
  s.failTurn('boom', 'retry');
  s.failTurn('again', 'retry');
  await turn.done;
  assert.deepEqual(frames, ['turn_started', 'stream_error']);
  assert.deepEqual(outcomes, ['error']);
  assert.equal(s.turn, null);
});
