// The reducer: streaming, tool cards, replay de-duplication and history.
import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../protocol/messages';
import { initialState, itemsFromHistory, reducer, type State } from './store';

const SID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const base = { seq: 1, session_id: SID };

function apply(frames: ServerFrame[], from: State = initialState): State {
  return frames.reduce((s, frame) => reducer(s, { type: 'frame', frame, now: 0 }), from);
}

describe('store', () => {
  it('builds a turn from turn_started, deltas, a tool call and response_complete', () => {
    let s = reducer(initialState, { type: 'local_send', sessionId: SID, text: 'run: ls' });
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
        session: {
          session_id: SID,
          status: 'idle',
          created_at: '2026-02-07T10:00:00Z',
          last_active_at: '2026-02-07T10:01:00Z',
          message_count: 2,
          total_cost_usd: 0.01,
          is_resumable: true,
        },
        messages: [
          { type: 'user', text: 'run: ls', timestamp: '2026-02-07T10:00:00Z' },
          { type: 'tool_use', tool_use_id: 't1', tool: 'Bash', input: { command: 'ls' }, timestamp: '2026-02-07T10:00:01Z' },
          { type: 'tool_result', tool_use_id: 't1', result: { error: 'nope' }, status: 'error', timestamp: '2026-02-07T10:00:02Z' },
          { type: 'assistant', text: 'It failed.', timestamp: '2026-02-07T10:00:03Z' },
        ],
        is_query_active: false,
        last_event_id: 9,
      },
    ]);
    const t = s.transcripts[SID];
    expect(t?.lastEventId).toBe(9);
    expect(t?.loaded).toBe(true);
    expect(t?.items.map((i) => i.kind)).toEqual(['user', 'tool', 'assistant']);
    expect(t?.items[1]).toMatchObject({ status: 'error', result: { error: 'nope' } });
    expect(s.sessions).toHaveLength(1);
  });

  it('a rejected message is taken back', () => {
    let s = reducer(initialState, { type: 'local_send', sessionId: SID, text: 'again' });
    s = apply([{ type: 'error', seq: 1, code: 'query_in_progress', message: 'Please wait.', session_id: SID }], s);
    expect(s.transcripts[SID]?.items).toHaveLength(0);
    expect(s.banners[0]).toMatchObject({ kind: 'error', message: 'Please wait.' });
  });

  it('after a server restart every transcript asks for its full history again', () => {
    let s = apply([{ ...base, type: 'turn_started', event_id: 5, text: 'hi' }]);
    s = reducer(s, { type: 'forget_event_ids' });
    expect(s.transcripts[SID]).toMatchObject({ lastEventId: 0, loaded: false, streaming: false });
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
