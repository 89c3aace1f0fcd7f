// Lossless reconnect (beyond the spec's Phase 1): a socket dropped mid-stream loses nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const WORDS = Array.from({ length: 120 }, (_, i) => `word${i}`);
const TEXT = WORDS.join(' ');

async function reconnect(): Promise<TestClient> {
  const c = await TestClient.connect(h.wsUrl, h.key);
  await c.next('session_list');
  return c;
}

const deltasOf = (c: TestClient, id: string, fromIndex = 0) =>
  c.frames
    .slice(fromIndex)
    .filter((f) => f.type === 'stream_delta' && f.session_id === id)
    .map((f) => f as { delta: string; event_id?: number });

test('drop mid-stream, reconnect with `after`: only the missing frames, then the live rest, to response_complete', async () => {
  const a = await h.client();
  const id = await a.createSession();
  h.model.enqueue(id, { kind: 'text', text: TEXT, chunks: 120, delayMs: 15 });
  a.send({ type: 'user_message', session_id: id, text: 'tell me the words' });
  // read a few deltas, then the socket dies
  await a.next('stream_delta');
  await a.next('stream_delta');
  const seen = deltasOf(a, id);
  const lastId = seen.at(-1)?.event_id as number;
  a.ws.terminate();
  await a.whenClosed();
  const b = await reconnect();
  b.send({ type: 'switch_session', session_id: id, after: lastId });
  await b.next('response_complete', (f) => f.session_id === id, 30_000);
  assert.equal(b.frames.filter((f) => f.type === 'session_history').length, 0, 'a short blip needs no history');
  const rest = deltasOf(b, id);
  assert.ok((rest[0]?.event_id as number) === lastId + 1, 'continues right after the last frame seen');
  const full = seen.map((d) => d.delta).join('') + rest.map((d) => d.delta).join('');
  assert.deepEqual(full.split(' '), WORDS, 'every word once, in order');
  const ids = [...seen, ...rest].map((d) => d.event_id as number);
  assert.equal(new Set(ids).size, ids.length, 'nothing twice');
  await b.close();
});

test('reconnect without `after`: session_history up to the turn, then the turn replayed and continued live', async () => {
  const a = await h.client();
  const id = await a.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'An earlier answer.' });
  await a.turn(id, 'an earlier question');
  h.model.enqueue(id, { kind: 'text', text: TEXT, chunks: 120, delayMs: 15 });
  a.send({ type: 'user_message', session_id: id, text: 'the words again' });
  for (let i = 0; i < 5; i++) await a.next('stream_delta');
  a.ws.terminate();
  const b = await reconnect();
  b.send({ type: 'switch_session', session_id: id });
  const hist = await b.next('session_history');
  assert.equal(hist.is_query_active, true);
  const texts = hist.messages.map((m) => ('text' in m ? `${m.type}:${m.text}` : m.type));
  assert.deepEqual(texts, ['user:an earlier question', 'assistant:An earlier answer.', 'turn_result']);
  await b.next('response_complete', (f) => f.session_id === id, 30_000);
  const after_ = b.frames.slice(b.frames.indexOf(hist) + 1);
  const started = after_.find((f) => f.type === 'turn_started');
  assert.equal(started && 'text' in started ? started.text : '', 'the words again', 'the in-flight turn is replayed from its start');
  const text = after_
    .filter((f) => f.type === 'stream_delta')
    .map((f) => (f as { delta: string }).delta)
    .join('');
  assert.deepEqual(text.split(' '), WORDS);
  const evIds = after_.map((f) => ('event_id' in f ? f.event_id : undefined)).filter((x) => x !== undefined);
  assert.equal(evIds[0], hist.last_event_id + 1);
  assert.deepEqual(
    evIds,
    [...evIds].sort((x, y) => (x as number) - (y as number)),
  );
  assert.equal(new Set(evIds).size, evIds.length);
  await b.close();
});

test('a reconnect after the turn ended gets the completed answer from history', async () => {
  const a = await h.client();
  const observer = await h.client();
  const id = await a.createSession();
  h.model.enqueue(id, { kind: 'text', text: TEXT, chunks: 20 });
  a.send({ type: 'user_message', session_id: id, text: 'fast words' });
  await a.next('stream_delta');
  a.ws.terminate();
  // the turn ends server-side: every client is told (session_updated), with the usual deadline
  await observer.next('session_updated', (f) => f.session.session_id === id && f.session.status === 'idle');
  await observer.close();
  const b = await reconnect();
  b.send({ type: 'switch_session', session_id: id });
  const hist = await b.next('session_history');
  assert.equal(hist.is_query_active, false);
  const [answer, result] = hist.messages.slice(-2);
  assert.equal(answer?.type, 'assistant');
  assert.equal(answer && 'text' in answer ? answer.text : '', TEXT);
  assert.equal(result?.type === 'turn_result' && result.outcome, 'complete');
  await b.close();
});
