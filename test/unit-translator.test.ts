import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { historyFromTranscript, TurnTranslator, toolResultObject, withTurnResults } from '../src/core/sessions/turn-translator.js';

const m = (x: unknown) => x as SDKMessage;

test('text deltas pass through; the final assistant message does not repeat them', () => {
  const t = new TurnTranslator();
  const out = [
    ...t.push(m({ type: 'stream_event', parent_tool_use_id: null, event: { type: 'message_start', message: { id: 'a' } } })),
    ...t.push(
      m({
        type: 'stream_event',
        parent_tool_use_id: null,
        event: { type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hel' } },
      }),
    ),
    ...t.push(
      m({
        type: 'stream_event',
        parent_tool_use_id: null,
        event: { type: 'content_block_delta', delta: { type: 'text_delta', text: 'lo' } },
      }),
    ),
    ...t.push(m({ type: 'assistant', parent_tool_use_id: null, message: { id: 'a', content: [{ type: 'text', text: 'Hello' }] } })),
  ];
  assert.deepEqual(out, [
    { type: 'stream_delta', delta: 'Hel' },
    { type: 'stream_delta', delta: 'lo' },
  ]);
});

test('text that never streamed is sent whole once; tool use and result pair up with a duration', () => {
  let now = 1000;
  const t = new TurnTranslator(() => now);
  const a = t.push(
    m({
      type: 'assistant',
      parent_tool_use_id: null,
      message: {
        id: 'b',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'tu1', name: 'Read', input: { file_path: '/x' } },
        ],
      },
    }),
  );
  assert.deepEqual(a, [
    { type: 'stream_delta', delta: 'Let me look.' },
    { type: 'tool_use', tool_use_id: 'tu1', tool: 'Read', input: { file_path: '/x' } },
  ]);
  now = 1250;
  const r = t.push(
    m({
      type: 'user',
      parent_tool_use_id: null,
      message: { content: [{ type: 'tool_result', tool_use_id: 'tu1', content: '{"count": 45231}' }] },
    }),
  );
  assert.deepEqual(r, [{ type: 'tool_result', tool_use_id: 'tu1', result: { count: 45231 }, status: 'success', duration_ms: 250 }]);
});

test('subagent messages stay inside their tool; results are captured', () => {
  const t = new TurnTranslator();
  assert.deepEqual(
    t.push(m({ type: 'assistant', parent_tool_use_id: 'tu9', message: { id: 'c', content: [{ type: 'text', text: 'inner' }] } })),
    [],
  );
  t.push(m({ type: 'result', subtype: 'success', is_error: false, total_cost_usd: 0.5, num_turns: 3 }));
  assert.equal(t.result?.numTurns, 3);
  assert.equal(t.result?.totalCostUsd, 0.5);
});

test('api_retry becomes stream_status', () => {
  const t = new TurnTranslator();
  const out = t.push(m({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 2, retry_delay_ms: 500, error_status: 529 }));
  assert.deepEqual(out, [
    { type: 'stream_status', status: 'retrying', attempt: 1, max_retries: 2, retry_in_ms: 500, error: 'Model API error 529' },
  ]);
});

test('tool results become objects: JSON objects pass, text is {output}, errors are {error}', () => {
  assert.deepEqual(toolResultObject('{"a":1}', false), { a: 1 });
  assert.deepEqual(toolResultObject('plain', false), { output: 'plain' });
  assert.deepEqual(toolResultObject([{ type: 'text', text: 'x' }], false), { output: 'x' });
  assert.deepEqual(toolResultObject('Connection refused', true), { error: 'Connection refused' });
  assert.deepEqual(toolResultObject('{not json', false), { output: '{not json' });
});

test('history drops system reminders and joins split assistant text', () => {
  const h = historyFromTranscript([
    {
      type: 'user',
      parent_tool_use_id: null,
      timestamp: 't1',
      message: {
        content: [
          { type: 'text', text: '<system-reminder>x</system-reminder>' },
          { type: 'text', text: 'hi' },
        ],
      },
    },
    { type: 'assistant', parent_tool_use_id: null, timestamp: 't2', message: { content: [{ type: 'text', text: 'Hel' }] } },
    { type: 'assistant', parent_tool_use_id: null, timestamp: 't2', message: { content: [{ type: 'text', text: 'lo' }] } },
  ]);
  assert.deepEqual(h, [
    { type: 'user', text: 'hi', timestamp: 't1' },
    { type: 'assistant', text: 'Hello', timestamp: 't2' },
  ]);
});

test('stored turn results follow their turn; a turn that never reached the transcript is skipped', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  const msgs = [
    { type: 'user' as const, text: 'one', timestamp: at(10) },
    { type: 'assistant' as const, text: 'A', timestamp: at(11) },
    { type: 'user' as const, text: 'two', timestamp: at(30) },
    { type: 'assistant' as const, text: 'B', timestamp: at(31) },
  ];
  const out = withTurnResults(msgs, [
    { started_at: at(10), ended_at: at(12), outcome: 'complete', cost_usd: 0.01, turn_count: 1 },
    { started_at: at(20), ended_at: at(21), outcome: 'error', cost_usd: 0, turn_count: 0 }, // failed before the CLI
    { started_at: at(30), ended_at: at(32), outcome: 'interrupted', cost_usd: 0.002, turn_count: 1 },
  ]);
  assert.deepEqual(
    out.map((m) => (m.type === 'turn_result' ? `result:${m.outcome}` : m.type)),
    ['user', 'assistant', 'result:complete', 'user', 'assistant', 'result:interrupted'],
  );
});
