// The reducers: streaming, tool cards, replay de-duplication, history, and purity
// (whatever they create takes its id and time from the action).
import { describe, expect, it } from 'vitest';
import type { ServerFrame, SessionSummary } from '../../protocol/messages';
import { initialState, reducer } from './reducer';
import { itemsFromHistory } from './transcripts';
import type { State } from './types';

const SID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const base = { seq: 1, session_id: SID };

let n = 0;
function apply(frames: ServerFrame[], from: State = initialState, now = 0): State {
  return frames.reduce((s, frame) => reducer(s, { type: 'frame', frame, id: `f${++n}`, now }), from);
}

function summary(status: SessionSummary['status']): SessionSummary {
  return {
    session_id: SID,
    status,
    created_at: '2026-02-07T10:00:00Z',
    last_active_at: '2026-02-07T10:01:00Z',
    message_count: 2,
    total_cost_usd: 0.01,
    is_resumable: true,
  };
}

describe('store', () => {
  it('builds a turn from turn_started, deltas, a tool call and response_complete', () => {
    let s = reducer(initialState, { type: 'local_send', sessionId: SID, text: 'run: ls', id: 'l1' });
    expect(s.transcripts[SID]?.items[0]).toMatchObject({ kind: 'user', pending: true });
    s = apply(
      [
        { ...base, type: 'turn_started', event_id: 1, text: 'run: ls' },
        { ...base, type: 'tool_use', event_id: 2, tool_use_id: 't1', tool: 'Bash', input: { command: 'ls' } },
        { ...base, type: 'tool_result', event_id: 3, tool_use_id: 't1', result: { output: 'a\nb' }, status: 'success', duration_ms: 12 },
        { ...base, type: 'stream_delta', event_id: 4, delta: 'Two ' },
        { ...base, type: 'stream_delta', event_id: 5, delta: 'files.' },
        { ...base, type: 'response_complete', event_id: 6, cost_usd: 0.02, turn_count: 2 },
      ],
      s,
    );
    const t = s.transcripts[SID];
    expect(t?.streaming).toBe(false);
    expect(t?.lastEventId).toBe(6);
    expect(t?.items.map((i) => i.kind)).toEqual(['user', 'tool', 'assistant', 'complete']);
    expect(t?.items[0]).toMatchObject({ pending: false, text: 'run: ls' });
    expect(t?.items[1]).toMatchObject({ status: 'success', durationMs: 12, result: { output: 'a\nb' } });
    expect(t?.items[2]).toMatchObject({ text: 'Two files.', streaming: false });
  });

  it('ignores replayed events it already has', () => {
    const frames: ServerFrame[] = [
      { ...base, type: 'turn_started', event_id: 1, text: 'hi' },
      { ...base, type: 'stream_delta', event_id: 2, delta: 'Hel' },
    ];
    let s = apply(frames);
    s = apply([...frames, { ...base, type: 'stream_delta', event_id: 3, delta: 'lo' }], s);
    const t = s.transcripts[SID];
    expect(t?.items).toHaveLength(2);
    expect(t?.items[1]).toMatchObject({ text: 'Hello', streaming: true });
  });

  it('session_history replaces the transcript and merges tool results', () => {
    const s = apply([
      {
        type: 'session_history',
        seq: 1,
        session_id: SID,
        session: summary('idle'),
        messages: [
          { type: 'user', text: 'run: ls', timestamp: '2026-02-07T10:00:00Z' },
          { type: 'tool_use', tool_use_id: 't1', tool: 'Bash', input: { command: 'ls' }, timestamp: '2026-02-07T10:00:01Z' },
          { type: 'tool_result', tool_use_id: 't1', result: { error: 'nope' }, status: 'error', timestamp: '2026-02-07T10:00:02Z' },
          { type: 'assistant', text: 'It failed.', timestamp: '2026-02-07T10:00:03Z' },
        ],
        is_query_active: false,
        last_event_id: 9,
        has_more: false,
        first_position: 0,
      },
    ]);
    const t = s.transcripts[SID];
    expect(t?.lastEventId).toBe(9);
    expect(t?.loaded).toBe(true);
    expect(t?.items.map((i) => i.kind)).toEqual(['user', 'tool', 'assistant']);
    expect(t?.items[1]).toMatchObject({ status: 'error', result: { error: 'nope' } });
    expect(s.sessions.list).toHaveLength(1);
  });

  it('earlier pages go in front, once: an older page is prepended, a repeated or stale one changes nothing', () => {
    const user = (text: string) => ({ type: 'user' as const, text, timestamp: '2026-02-07T10:00:00Z' });
    const answer = (text: string) => ({ type: 'assistant' as const, text, timestamp: '2026-02-07T10:00:01Z' });
    let s = apply([
      {
        type: 'session_history',
        seq: 1,
        session_id: SID,
        session: summary('idle'),
        messages: [user('q3'), answer('a3')],
        is_query_active: false,
        last_event_id: 4,
        has_more: true,
        first_position: 4,
      },
    ]);
    expect(s.transcripts[SID]).toMatchObject({ hasMore: true, firstPosition: 4, loadingEarlier: false });
    s = reducer(s, { type: 'earlier_requested', sessionId: SID });
    expect(s.transcripts[SID]?.loadingEarlier).toBe(true);
    const page: ServerFrame = {
      type: 'session_history_page',
      seq: 2,
      session_id: SID,
      messages: [user('q2'), answer('a2')],
      has_more: true,
      first_position: 2,
    };
    s = apply([page], s);
    const texts = () => s.transcripts[SID]?.items.map((i) => ('text' in i ? i.text : i.kind));
    expect(texts()).toEqual(['q2', 'a2', 'q3', 'a3']);
    expect(s.transcripts[SID]).toMatchObject({ hasMore: true, firstPosition: 2, loadingEarlier: false });
    s = apply([page], s);
    expect(texts()).toEqual(['q2', 'a2', 'q3', 'a3']);
    s = apply([{ ...page, messages: [user('q1'), answer('a1')], has_more: false, first_position: 0 }], s);
    expect(texts()).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect(s.transcripts[SID]?.hasMore).toBe(false);
    const ids = s.transcripts[SID]?.items.map((i) => i.id) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a rejected message is taken back', () => {
    let s = reducer(initialState, { type: 'local_send', sessionId: SID, text: 'again', id: 'l1' });
    s = apply([{ type: 'error', seq: 1, code: 'query_in_progress', message: 'Please wait.', session_id: SID }], s);
    expect(s.transcripts[SID]?.items).toHaveLength(0);
    expect(s.banners[0]).toMatchObject({ kind: 'error', message: 'Please wait.' });
  });

  it('event ids only grow, across server restarts too: a later run’s events simply follow', () => {
    const before = 1_764_500_000_000_001;
    let s = apply([
      { ...base, type: 'turn_started', event_id: before, text: 'hi' },
      { ...base, type: 'stream_delta', event_id: before + 1, delta: 'Hel' },
    ]);
    // The server went away mid-answer; its next run lists the session as ended.
    s = apply([{ type: 'session_list', seq: 1, sessions: [summary('terminated')] }], s);
    expect(s.transcripts[SID]).toMatchObject({ streaming: false, lastEventId: before + 1 });
    expect(s.transcripts[SID]?.items[1]).toMatchObject({ streaming: false });
    // Resumed: the new run's events carry higher ids and are applied.
    s = apply([{ ...base, type: 'turn_started', event_id: before + 1_000_000, text: 'again' }], s);
    expect(s.transcripts[SID]?.items.map((i) => i.kind)).toEqual(['user', 'assistant', 'user']);
    expect(s.transcripts[SID]?.streaming).toBe(true);
  });

  it('a session without a process (ended or dormant) waits for no permission answer', () => {
    let s = apply([
      { ...base, type: 'turn_started', event_id: 1, text: 'run: rm x' },
      { ...base, type: 'permission_request', event_id: 2, request_id: 'r1', tool: 'Bash', input: { command: 'rm x' }, timeout_seconds: 60 },
    ]);
    expect(s.transcripts[SID]?.items[1]).toMatchObject({ kind: 'permission', answer: null });
    s = apply([{ type: 'session_updated', seq: 2, session: summary('dormant') }], s);
    expect(s.transcripts[SID]?.items[1]).toMatchObject({ kind: 'permission', answer: 'expired' });
    expect(s.transcripts[SID]?.streaming).toBe(false);
  });
});

describe('pure reducers', () => {
  it('the same actions give the same state: ids and times come from the actions', () => {
    const frames: ServerFrame[] = [
      { ...base, type: 'turn_started', event_id: 1, text: 'hi' },
      { ...base, type: 'stream_delta', event_id: 2, delta: 'Hello' },
      { ...base, type: 'permission_request', event_id: 3, request_id: 'r1', tool: 'Bash', input: {}, timeout_seconds: 30 },
      { ...base, type: 'session_warning', event_id: 4, reason: 'duration', remaining_seconds: 60, message: 'Soon.' },
      { ...base, type: 'response_complete', event_id: 5, cost_usd: 0.01, turn_count: 1 },
    ];
    const run = () => frames.reduce((s, frame, i) => reducer(s, { type: 'frame', frame, id: `x${i}`, now: 1000 + i }), initialState);
    const a = run();
    expect(run()).toEqual(a);
    expect(a.transcripts[SID]?.items.map((i) => i.id)).toEqual(['x0', 'x1', 'x2', 'x4']);
    expect(a.transcripts[SID]?.items[2]).toMatchObject({ receivedAt: 1002 });
    expect(a.banners[0]).toMatchObject({ kind: 'session_warning', deadline: 1003 + 60_000 });
    const creating = reducer(initialState, { type: 'creating_requested', now: 42 });
    expect(creating.sessions.creating).toEqual({ estimatedSeconds: 0, startedAt: 42 });
  });

  it('an action that changes nothing returns the very same state', () => {
    const s = apply([{ ...base, type: 'turn_started', event_id: 7, text: 'hi' }]);
    expect(apply([{ ...base, type: 'turn_started', event_id: 7, text: 'hi' }], s)).toBe(s);
    expect(reducer(s, { type: 'dismiss', key: 'none' }).transcripts).toBe(s.transcripts);
  });

  it('a resume link to an unknown session says so', () => {
    const s = reducer(reducer(initialState, { type: 'select', sessionId: SID }), { type: 'resume_not_found' });
    expect(s.sessions.currentId).toBeNull();
    expect(s.banners[0]).toMatchObject({ kind: 'error', message: 'The session to resume was not found.' });
  });
});

describe('archive and delete heard from another tab', () => {
  const OTHER = '3f2504e0-4f89-41d3-9a0c-0305e82c3302';
  const listed = () =>
    reducer(apply([{ type: 'session_list', seq: 1, sessions: [summary('idle'), { ...summary('idle'), session_id: OTHER }] }]), {
      type: 'select',
      sessionId: SID,
    });
  const ids = (s: State) => s.sessions.list.map((x) => x.session_id);

  it('archived: the row leaves at once and stays out through status changes and a new list; restored: it comes back', () => {
    let s = apply([{ type: 'session_updated', seq: 2, session: { ...summary('idle'), session_id: OTHER, archived: true } }], listed());
    expect(ids(s)).toEqual([SID]);
    s = apply([{ type: 'session_updated', seq: 3, session: { ...summary('active'), session_id: OTHER } }], s);
    expect(ids(s)).toEqual([SID]);
    s = apply([{ type: 'session_list', seq: 4, sessions: [summary('idle')] }], s);
    s = apply([{ type: 'session_updated', seq: 5, session: { ...summary('idle'), session_id: OTHER } }], s);
    expect(ids(s)).toEqual([SID]);
    s = apply([{ type: 'session_updated', seq: 6, session: { ...summary('idle'), session_id: OTHER, archived: false } }], s);
    expect(ids(s).sort()).toEqual([SID, OTHER].sort());
  });

  it('archiving the open session keeps it open; deleting it closes it and forgets its conversation', () => {
    let s = apply([{ ...base, type: 'turn_started', event_id: 1, text: 'hi' }], listed());
    s = apply([{ type: 'session_updated', seq: 2, session: { ...summary('idle'), archived: true } }], s);
    expect(ids(s)).toEqual([OTHER]);
    expect(s.sessions.currentId).toBe(SID);
    s = apply([{ type: 'session_deleted', seq: 3, session_id: SID }], s);
    expect(s.sessions.currentId).toBeNull();
    expect(s.transcripts[SID]).toBeUndefined();
    expect(ids(s)).toEqual([OTHER]);
  });
});

describe('history with stored turn results', () => {
  it('shows cost and turns, Stopped., and tool durations after a reload', () => {
    const items = itemsFromHistory([
      { type: 'user', text: 'hi', timestamp: 't' },
      { type: 'tool_use', tool_use_id: 'x', tool: 'Bash', input: { command: 'ls' }, timestamp: 't' },
      { type: 'tool_result', tool_use_id: 'x', result: { output: 'a' }, status: 'success', duration_ms: 42, timestamp: 't' },
      { type: 'assistant', text: 'done', timestamp: 't' },
      { type: 'turn_result', outcome: 'complete', cost_usd: 0.02, turn_count: 2, timestamp: 't' },
      { type: 'user', text: 'again', timestamp: 't' },
      { type: 'turn_result', outcome: 'interrupted', cost_usd: 0, turn_count: 0, timestamp: 't' },
    ]);
    expect(items.map((i) => i.kind)).toEqual(['user', 'tool', 'assistant', 'complete', 'user', 'notice']);
    const tool = items[1] as { durationMs: number | null };
    expect(tool.durationMs).toBe(42);
    expect(items[3]).toMatchObject({ costUsd: 0.02, turns: 2 });
  });
});
