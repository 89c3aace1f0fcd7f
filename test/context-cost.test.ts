// Context and cost per turn: response_complete carries how full the context is, the model's
// window and the session's total; they are stored with the turn and come back in history.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

test('response_complete reports context used, the window and the session total; history keeps them per turn', async () => {
  const c = await h.client();
  const sid = await c.createSession();
  c.send({ type: 'user_message', session_id: sid, text: 'say: first' });
  const one = await c.next('response_complete', undefined, 60_000);
  c.send({ type: 'user_message', session_id: sid, text: `say: second ${'words '.repeat(400)}` });
  const two = await c.next('response_complete', undefined, 60_000);
  for (const r of [one, two]) {
    assert.ok((r.context_tokens ?? 0) > 0, JSON.stringify(r));
    assert.ok((r.context_window ?? 0) >= 100_000, JSON.stringify(r));
  }
  // the second turn's context holds the first and a longer message
  assert.ok((two.context_tokens ?? 0) > (one.context_tokens ?? 0) + 300, `${one.context_tokens} then ${two.context_tokens}`);
  const total = Math.round((one.cost_usd + two.cost_usd) * 1e6) / 1e6;
  assert.ok(Math.abs((two.session_cost_usd ?? -1) - total) < 2e-6, `${two.session_cost_usd} vs ${total}`);
  const detail = await h.api('GET', `/api/v1/sessions/${sid}`);
  assert.ok(Math.abs((detail.body as { total_cost_usd: number }).total_cost_usd - total) < 2e-6);

  const other = await h.client();
  other.send({ type: 'switch_session', session_id: sid });
  const hist = await other.next('session_history');
  const results = hist.messages.filter((m) => m.type === 'turn_result');
  assert.deepEqual(
    results.map((m) => m.type === 'turn_result' && [m.context_tokens, m.context_window]),
    [
      [one.context_tokens, one.context_window],
      [two.context_tokens, two.context_window],
    ],
  );
});
