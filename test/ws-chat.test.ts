// The WebSocket contract end to end: real server, real CLI processes, scripted model.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../src/core/cli/process-tree.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

describe('connection', () => {
  test('first frame is session_list; key by query parameter or X-API-Key header', async () => {
    for (const via of ['query', 'header'] as const) {
      const c = await TestClient.connect(h.wsUrl, h.key, { via });
      const first = await c.next('session_list');
      assert.equal(c.frames[0], first);
      assert.equal(first.seq, 1);
      await c.close();
    }
  });

  test('missing or wrong key closes with 1008', async () => {
    for (const key of [undefined, 'wrong-key']) {
      const c = await TestClient.connect(h.wsUrl, key);
      await c.whenClosed();
      assert.equal(c.closeCode, 1008);
      assert.equal(c.closeReason, 'Invalid API key');
      assert.equal(c.frames.length, 0);
    }
  });

  test("the server's own origin is accepted (the web UI)", async () => {
    const c = await TestClient.connect(h.wsUrl, h.key, { headers: { Origin: h.url } });
    await c.next('session_list');
    await c.close();
  });

  test('creating a session announces it once: one session_updated per client, not two', async () => {
    const creator = await h.client();
    const observer = await h.client();
    const id = await creator.createSession();
    // a round trip on each connection: every frame sent before its answer has arrived
    for (const c of [creator, observer]) {
      c.send({ type: 'interrupt', session_id: '00000000-0000-4000-8000-000000000000' });
      await c.next('error');
      const updates = c.frames.filter((f) => f.type === 'session_updated' && f.session.session_id === id);
      assert.equal(updates.length, 1, JSON.stringify(updates));
      assert.equal(updates[0]?.type === 'session_updated' && updates[0].session.status, 'active');
    }
    await creator.close();
    await observer.close();
  });

  test('a foreign browser origin is refused', async () => {
    const c = await TestClient.connect(h.wsUrl, h.key, { headers: { Origin: 'http://evil.example' } });
    await c.whenClosed();
    assert.equal(c.closeCode, 1008);
  });
});

describe('chat turns', () => {
  let c: TestClient;
  let id: string;
  before(async () => {
    c = await h.client();
    c.send({ type: 'create_session' });
    const creating = await c.next('session_creating');
    assert.ok(creating.estimated_seconds >= 1);
    const ready = await c.next('session_ready');
    assert.equal(ready.status, 'ready');
    assert.equal(ready.source, 'cold');
    id = ready.session_id;
  });

  test('stream_delta text is exactly the model text; response_complete has cost and turns', async () => {
    const text = 'Stream *me* exactly: ünïcödé 🎉 and `code`.';
    h.model.enqueue(id, { kind: 'text', text, chunks: 7 });
    const seq = 41;
    c.send({ type: 'user_message', session_id: id, text: 'first question', seq });
    const ack = await c.next('message_received');
    assert.equal(ack.seq, seq);
    const started = await c.next('turn_started');
    assert.equal(started.text, 'first question');
    const done = await c.next('response_complete', (f) => f.session_id === id);
    const deltas = c.frames.filter((f) => f.type === 'stream_delta' && f.session_id === id);
    assert.equal(deltas.map((f) => (f as { delta: string }).delta).join(''), text);
    assert.ok(deltas.length >= 2, 'streamed in several deltas');
    assert.ok(done.cost_usd > 0, 'cost from the CLI usage accounting');
    assert.equal(done.turn_count, 1);
    // seq increases on every frame but message_received
    const seqs = c.frames.filter((f) => f.type !== 'message_received').map((f) => f.seq as number);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
    // event ids increase within the session
    const evs = c.frames.filter((f) => 'event_id' in f && f.event_id !== undefined).map((f) => (f as { event_id: number }).event_id);
    assert.deepEqual(
      evs,
      [...evs].sort((a, b) => a - b),
    );
    assert.deepEqual(c.invalid, []);
  });

  test('one process serves every turn, and the model sees the earlier turns', async () => {
    const before_ = await h.api('GET', `/api/v1/sessions/${id}`);
    h.model.enqueue(id, { kind: 'text', text: 'second answer' });
    const r = await c.turn(id, 'second question');
    assert.equal(r.text, 'second answer');
    const after_ = await h.api('GET', `/api/v1/sessions/${id}`);
    assert.equal(after_.body.subprocess_pid, before_.body.subprocess_pid);
    const last = h.model
      .requestsFor(id)
      .filter((q) => q.stream)
      .at(-1);
    assert.deepEqual(last?.userTexts.slice(-2), ['first question', 'second question']);
  });

  test('a Bash tool call round-trips: tool_use then tool_result with output and duration', async () => {
    h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'echo hello-from-bash', description: 'say hello' } });
    const r = await c.turn(id, 'run the tool');
    const use = r.frames.find((f) => f.type === 'tool_use');
    const result = r.frames.find((f) => f.type === 'tool_result');
    assert.ok(use && use.type === 'tool_use');
    assert.equal(use.tool, 'Bash');
    assert.deepEqual(use.input, { command: 'echo hello-from-bash', description: 'say hello' });
    assert.ok(result && result.type === 'tool_result');
    assert.equal(result.tool_use_id, use.tool_use_id);
    assert.equal(result.status, 'success');
    assert.match(String(result.result.output), /hello-from-bash/);
    assert.equal(typeof result.duration_ms, 'number');
    assert.match(r.text, /hello-from-bash/, 'the model saw the tool output');
    assert.equal(r.end.turn_count, 2);
    const req = h.model.requestsFor(id).at(-1);
    assert.match(req?.toolResults[0]?.content ?? '', /hello-from-bash/);
  });

  test('a failing tool reports status error with {error}', async () => {
    h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'echo oops >&2; exit 3' } });
    const r = await c.turn(id, 'fail please');
    const result = r.frames.find((f) => f.type === 'tool_result');
    assert.ok(result && result.type === 'tool_result');
    assert.equal(result.status, 'error');
    assert.equal(typeof result.result.error, 'string');
  });

  test('a second user_message while streaming gets query_in_progress', async () => {
    h.model.enqueue(id, { kind: 'text', text: 'x'.repeat(60), chunks: 30, delayMs: 20 });
    c.send({ type: 'user_message', session_id: id, text: 'long one' });
    await c.next('stream_delta');
    c.send({ type: 'user_message', session_id: id, text: 'too soon' });
    const err = await c.next('error');
    assert.equal(err.code, 'query_in_progress');
    assert.equal(err.message, 'Please wait for the current response to complete.');
    await c.next('response_complete');
  });

  test('interrupt mid-stream ends the turn, is idempotent, and the session answers next', async () => {
    h.model.enqueue(id, { kind: 'text', text: 'y'.repeat(400), chunks: 200, delayMs: 20 });
    c.send({ type: 'user_message', session_id: id, text: 'talk for a long time' });
    await c.next('stream_delta');
    c.send({ type: 'interrupt', session_id: id });
    c.send({ type: 'interrupt', session_id: id });
    await c.next('stream_interrupted');
    c.send({ type: 'interrupt', session_id: id }); // nothing in flight: no error
    h.model.enqueue(id, { kind: 'text', text: 'after the interrupt' });
    const r = await c.turn(id, 'are you there?');
    assert.equal(r.text, 'after the interrupt');
    assert.equal(c.frames.filter((f) => f.type === 'error').length, 1, 'only the query_in_progress error so far');
  });

  test('switch_session answers session_history from the transcript; the connection that watched it before is told', async () => {
    const other = await h.client();
    other.send({ type: 'switch_session', session_id: id });
    const hist = await other.next('session_history');
    assert.equal(hist.session_id, id);
    assert.equal(hist.is_query_active, false);
    const users = hist.messages.filter((m) => m.type === 'user').map((m) => (m as { text: string }).text);
    assert.deepEqual(users.slice(0, 3), ['first question', 'second question', 'run the tool']);
    const asst = hist.messages.filter((m) => m.type === 'assistant').map((m) => (m as { text: string }).text);
    assert.ok(asst.some((t) => t.includes('Stream *me* exactly')));
    assert.ok(hist.messages.some((m) => m.type === 'tool_use' && m.tool === 'Bash'));
    assert.ok(hist.messages.some((m) => m.type === 'tool_result' && m.status === 'success' && typeof m.duration_ms === 'number'));
    for (const m of hist.messages) assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    // each turn's stored outcome follows it: cost and turns survive a reload
    const results = hist.messages.filter((m) => m.type === 'turn_result');
    assert.ok(results.length >= 4, JSON.stringify(results));
    const first = hist.messages.findIndex((m) => m.type === 'turn_result');
    assert.equal(hist.messages[first - 1]?.type, 'assistant');
    assert.ok(results.some((r) => r.type === 'turn_result' && r.outcome === 'complete' && r.cost_usd > 0 && r.turn_count === 1));
    assert.ok(results.some((r) => r.type === 'turn_result' && r.outcome === 'interrupted'));
    const moved = await c.next('session_opened_elsewhere');
    assert.equal(moved.session_id, id);
    // the stream now goes to the new connection
    h.model.enqueue(id, { kind: 'text', text: 'to the new tab' });
    const r = await other.turn(id, 'hello from the other tab');
    assert.equal(r.text, 'to the new tab');
    // and back: the first connection takes it again
    c.send({ type: 'switch_session', session_id: id });
    await c.next('session_history');
    await other.next('session_opened_elsewhere');
  });

  test('destroy_session: session_terminated user_requested, process tree gone, stored resumable', async () => {
    const d = await h.api('GET', `/api/v1/sessions/${id}`);
    const pid = d.body.subprocess_pid as number;
    assert.ok(isAlive(pid));
    c.send({ type: 'destroy_session', session_id: id });
    const t = await c.next('session_terminated');
    assert.equal(t.reason, 'user_requested');
    assert.equal(t.resume_url, `/chat?resume=${id}`);
    assert.equal(isAlive(pid), false);
    const after_ = await h.api('GET', `/api/v1/sessions/${id}`);
    assert.equal(after_.body.status, 'terminated');
    assert.equal(after_.body.subprocess_pid, null);
    assert.equal(after_.body.is_resumable, true);
  });

  test('a terminated resumable session answers again with its conversation (resume)', async () => {
    h.model.enqueue(id, { kind: 'text', text: 'I am back' });
    const r = await c.turn(id, 'wake up', 60_000);
    assert.equal(r.text, 'I am back');
    const last = h.model.requestsFor(id).at(-1);
    assert.ok(last?.userTexts.includes('first question'), 'the earlier conversation is in the model context');
  });
});
