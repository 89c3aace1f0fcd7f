// The session's life: what each named event does to a session in each state (its
// next state and effects), through the session's own methods where it can. The
// rules are checked as behaviour, not against a copy of a table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidTransitionError, publicStatus, type SessionState, step } from '../src/core/sessions/session-state.js';
import { detachedSession } from '../src/testing/detached-session.js';

const SID = '11111111-2222-4333-8444-555555555555';
const STATES: SessionState[] = ['creating', 'ready', 'idle', 'active', 'restarting', 'resuming', 'dormant', 'terminated'];

function counted(state: SessionState) {
  const n = { save: 0, announce: 0, released: 0 };
  const frames: string[] = [];
  const s = detachedSession(
    SID,
    { save: () => n.save++, announce: () => n.announce++, releaseSlot: () => n.released++, publish: (e) => frames.push(e.type) },
    state,
  );
  return { s, n, frames };
}

const kinds = (st: SessionState, ev: Parameters<typeof step>[1], from: SessionState | null = null) =>
  step(st, ev, { resumedFrom: from }).effects.map((e) => e.kind);

test('every state can end; an ended session ends once', () => {
  for (const st of STATES) {
    const r = step(st, { type: 'destroyed', reason: 'user_requested' });
    assert.equal(r.next, 'terminated', st);
    if (st === 'terminated') assert.deepEqual(r.effects, [], 'nothing twice');
    else
      assert.ok(
        r.effects.some((e) => e.kind === 'release_slot'),
        `${st}: a process starting meanwhile gives its slot back`,
      );
  }
});

test('only an idle session with nothing in flight is evicted; its process and buffer go, the slot passes on', () => {
  for (const st of STATES) {
    if (st === 'ready' || st === 'idle') {
      assert.equal(step(st, { type: 'evicted' }).next, 'dormant');
      assert.deepEqual(kinds(st, { type: 'evicted' }), ['release_process', 'drop_events']);
    } else assert.throws(() => step(st, { type: 'evicted' }), InvalidTransitionError, st);
  }
});

test('the slot goes with the process, except while a replacement is on its way', () => {
  for (const st of STATES) {
    const released = kinds(st, { type: 'process_died', expected: true, turn: false, reason: 'stopped' }).includes('release_slot');
    assert.equal(released, st !== 'restarting' && st !== 'resuming', st);
  }
});

test('a process dying on its own fails the turn in flight (retry) and leaves the session idle', () => {
  const r = step('active', { type: 'process_died', expected: false, turn: true, reason: 'SIGKILL' });
  assert.equal(r.next, 'idle');
  const fail = r.effects.find((e) => e.kind === 'fail_turn');
  assert.ok(fail && fail.kind === 'fail_turn' && fail.action === 'retry');
  assert.ok(!fail.message.includes('SIGKILL'), 'the signal goes to the log, not to the person');
  assert.equal(step('ready', { type: 'process_died', expected: false, turn: false, reason: 'x' }).next, 'idle');
  assert.equal(step('dormant', { type: 'process_died', expected: false, turn: false, reason: 'x' }).next, 'dormant');
});

test('a failed resume goes back where the session was, and gives its slot back', () => {
  for (const from of ['idle', 'dormant', 'terminated'] as const) {
    const r = step('resuming', { type: 'resume_failed', transcriptLost: false }, { resumedFrom: from });
    assert.equal(r.next, from);
    assert.deepEqual(r.effects, [{ kind: 'release_slot' }]);
  }
  assert.equal(step('resuming', { type: 'resume_failed', transcriptLost: false }, { resumedFrom: 'ready' }).next, 'idle');
  assert.equal(step('restarting', { type: 'resume_failed', transcriptLost: false }, { resumedFrom: 'active' }).next, 'idle');
});

test('a lost transcript ends the session for good: not resumable, the user told to start anew', () => {
  const r = step('resuming', { type: 'resume_failed', transcriptLost: true }, { resumedFrom: 'idle' });
  assert.equal(r.next, 'terminated');
  assert.deepEqual(
    r.effects.map((e) => e.kind),
    ['release_slot', 'fail_turn', 'mark_ended', 'tell'],
  );
  assert.ok(r.effects.some((e) => e.kind === 'mark_ended' && e.resumable === false));
  assert.ok(r.effects.some((e) => e.kind === 'fail_turn' && e.action === 'new_session'));
});

test('a restart only replaces a live process, tells the client, and the new process picks the turn up', () => {
  for (const st of STATES) {
    const r = step(st, { type: 'restart_requested', reason: 'memory_limit' });
    const restarts = st === 'ready' || st === 'idle' || st === 'active';
    assert.equal(r.next, restarts ? 'restarting' : st, st);
    assert.equal(r.effects.length, restarts ? 1 : 0, st);
  }
  assert.equal(step('restarting', { type: 'resume_requested' }).next, 'restarting', "the restart's own start");
  assert.equal(step('restarting', { type: 'process_started', turn: true }).next, 'active');
  assert.equal(step('restarting', { type: 'process_started', turn: false }).next, 'idle');
});

test('a session resumed after termination starts a new run (limits count from now)', () => {
  assert.ok(kinds('resuming', { type: 'process_started', turn: false }, 'terminated').includes('start_run'));
  assert.ok(!kinds('resuming', { type: 'process_started', turn: false }, 'dormant').includes('start_run'));
  assert.throws(() => step('active', { type: 'resume_requested' }), InvalidTransitionError);
});

test('turns: a live idle session becomes active and idle again; without a process the start of one moves it', () => {
  assert.equal(step('idle', { type: 'turn_started', live: true }).next, 'active');
  assert.equal(step('idle', { type: 'turn_started', live: false }).next, 'idle');
  assert.equal(step('dormant', { type: 'turn_started', live: false }).next, 'dormant');
  assert.throws(() => step('active', { type: 'turn_started', live: true }), InvalidTransitionError, 'one turn at a time');
  assert.equal(step('active', { type: 'turn_ended' }).next, 'idle');
  assert.equal(step('resuming', { type: 'turn_ended' }).next, 'resuming');
});

test('forks are born dormant through the same path; the server stopping ends open sessions, resumable as they were', () => {
  assert.equal(step('creating', { type: 'forked' }).next, 'dormant');
  assert.throws(() => step('idle', { type: 'forked' }), InvalidTransitionError);
  for (const st of STATES) {
    const r = step(st, { type: 'server_stopped', reason: 'server_shutdown' });
    assert.equal(r.next, 'terminated');
    if (st !== 'terminated') assert.ok(r.effects.some((e) => e.kind === 'mark_ended' && e.resumable === 'keep'));
  }
});

test('the session applies a move once: saved once, announced once, frames after the announcement', async () => {
  const { s, n } = counted('creating');
  s.forked();
  assert.equal(s.state, 'dormant');
  assert.deepEqual(n, { save: 1, announce: 1, released: 0 });
  const idle = counted('idle');
  await idle.s.destroy('user_requested', 'bye');
  assert.equal(idle.s.state, 'terminated');
  assert.deepEqual(idle.n, { save: 1, announce: 1, released: 1 });
  assert.deepEqual(idle.frames, ['session_terminated']);
  assert.equal(idle.s.record().terminated_reason, 'user_requested');
  await idle.s.destroy('again', 'bye');
  assert.deepEqual(idle.n, { save: 1, announce: 1, released: 1 }, 'ending twice changes nothing');
});

test('an event a state does not take throws and changes nothing', () => {
  const { s, n } = counted('idle');
  assert.throws(() => s.forked(), InvalidTransitionError);
  assert.equal(s.state, 'idle');
  assert.deepEqual(n, { save: 0, announce: 0, released: 0 });
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

test('handed over to another replica: like an eviction, only between turns (issue 21)', () => {
  for (const st of STATES) {
    if (st === 'ready' || st === 'idle') {
      assert.equal(step(st, { type: 'handed_over' }).next, 'dormant');
      assert.deepEqual(kinds(st, { type: 'handed_over' }), ['release_process', 'drop_events']);
    } else assert.throws(() => step(st, { type: 'handed_over' }), InvalidTransitionError, st);
  }
});

test("a lost lease stops the process at once and writes nothing: the row is another replica's now", () => {
  for (const st of STATES) {
    const r = step(st, { type: 'lease_lost' });
    assert.equal(r.quiet, true, st);
    if (st === 'creating' || st === 'dormant' || st === 'terminated') assert.deepEqual(r, { next: st, effects: [], quiet: true });
    else {
      assert.equal(r.next, 'dormant', st);
      assert.deepEqual(
        r.effects.map((e) => e.kind),
        ['fail_turn', 'release_process', 'drop_events'],
      );
    }
  }
  const { s, n, frames } = counted('resuming'); // a message waits for a process that is starting
  s.startTurn('hello');
  n.save = 0;
  n.announce = 0;
  s.letGo('lease_lost');
  assert.equal(s.state, 'dormant');
  assert.equal(n.announce, 0, 'not announced');
  assert.ok(frames.includes('stream_error'), 'the turn in flight fails (retry)');
  assert.equal(s.turn, null);
});
