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

test('a turn streams the model text exactly', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'Hello there, friend.', chunks: 4 });
  const r = await c.turn(id, 'hi');
  assert.equal(r.text, 'Hello there, friend.');
  assert.ok(r.end.cost_usd >= 0);
  assert.equal(r.end.turn_count, 1);
  assert.deepEqual(c.invalid, []);
});
