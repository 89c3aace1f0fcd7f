// NOTIFY_WEBHOOK_URL against a real receiver on loopback: one JSON POST per finished, failed
// and permission-waiting turn (title and link, no message text); a 500 is retried; a receiver
// that never answers does not hold up any turn.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { WebhookNotifier, type WebhookPayload } from '../src/core/notify/webhook-notifier.js';
import { type Harness, startHarness } from './helpers/harness.js';

type Behaviour = 'ok' | 'fail' | 'hang';

/** A webhook receiver: answers each request as told (ok by default) and records every body. */
class Receiver {
  readonly bodies: WebhookPayload[] = [];
  readonly plan: Behaviour[] = [];
  private readonly hanging: http.ServerResponse[] = [];
  private readonly waiters: { pred: (b: WebhookPayload, n: number) => boolean; resolve: (b: WebhookPayload) => void }[] = [];
  private server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as WebhookPayload;
      this.bodies.push(body);
      const how = this.plan.shift() ?? 'ok';
      if (how === 'hang') this.hanging.push(res);
      else res.writeHead(how === 'ok' ? 204 : 500).end();
      for (const w of [...this.waiters])
        if (w.pred(body, this.bodies.length)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(body);
        }
    });
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  next(pred: (b: WebhookPayload, n: number) => boolean): Promise<WebhookPayload> {
    const seen = this.bodies.find((b, i) => pred(b, i + 1));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  get hangingCount(): number {
    return this.hanging.filter((r) => !r.closed).length;
  }
  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('webhook, through the real server', () => {
  let h: Harness;
  let rx: Receiver;
  before(async () => {
    rx = await new Receiver().start();
    h = await startHarness({
      NOTIFY_WEBHOOK_URL: rx.url,
      PUBLIC_URL: 'https://chat.example.test/',
      PERMISSION_MODE: 'default',
      MODEL_MAX_RETRIES: '0',
    });
  });
  after(async () => {
    await h.close();
    await rx.close();
  });

  test('a POST for each of response_complete, permission_request and stream_error, with title and link and no message text', async () => {
    const c = await h.client();
    const sid = await c.createSession();
    await c.turn(sid, 'say: secret words stay here');
    const done = await rx.next((b) => b.event === 'response_complete' && b.session_id === sid);
    // The default title is the start of the message: not sent. A title the user gives is.
    assert.equal(done.session_title, `Session ${sid.slice(0, 8)}`);
    assert.ok(!JSON.stringify(done).includes('secret words'), 'no message text');
    assert.equal(done.link, `https://chat.example.test/chat?resume=${sid}`);
    assert.equal(typeof done.cost_usd, 'number');
    assert.match(done.id, /^[0-9a-f-]{36}$/);

    assert.equal((await h.api('PATCH', `/api/v1/sessions/${sid}`, { title: 'Release checklist' })).status, 200);
    c.send({ type: 'user_message', session_id: sid, text: 'run: touch private-command-text.txt' });
    const req = await c.next('permission_request');
    const asked = await rx.next((b) => b.event === 'permission_request' && b.session_id === sid);
    assert.equal(asked.tool, 'Bash');
    assert.equal(asked.session_title, 'Release checklist');
    c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny' });
    await c.next('response_complete', undefined, 60_000);

    c.send({ type: 'user_message', session_id: sid, text: 'error: 400' });
    await c.next('stream_error', undefined, 60_000);
    const failed = await rx.next((b) => b.event === 'stream_error' && b.session_id === sid);
    assert.equal(failed.suggested_action, 'retry');

    const all = JSON.stringify(rx.bodies);
    for (const secret of ['private-command-text', 'touch', 'secret words', h.key])
      assert.ok(!all.includes(secret), `a payload carries ${secret}`);
    // Only the documented fields: the session title (only a title the user gave) is the one place words appear.
    const keys = new Set(rx.bodies.flatMap((b) => Object.keys(b)));
    for (const k of keys)
      assert.ok(
        ['id', 'event', 'at', 'session_id', 'session_title', 'link', 'tool', 'cost_usd', 'session_cost_usd', 'suggested_action'].includes(
          k,
        ),
        k,
      );
  });

  test('a 500 is retried until delivered; a receiver that never answers does not hold up turns', async () => {
    const c = await h.client();
    const sid = await c.createSession();
    const before = rx.bodies.length;
    rx.plan.push('fail');
    await c.turn(sid, 'say: one');
    const first = await rx.next((b, n) => n > before && b.session_id === sid);
    const again = await rx.next((b, n) => n > before + 1 && b.id === first.id);
    assert.equal(again.event, 'response_complete');

    // The receiver now holds the next request open; turns keep completing meanwhile.
    rx.plan.push('hang');
    const hangAt = rx.bodies.length;
    await c.turn(sid, 'say: two');
    await rx.next((b, n) => n > hangAt && b.session_id === sid);
    assert.equal(rx.hangingCount, 1);
    const t3 = await c.turn(sid, 'say: three');
    const t4 = await c.turn(sid, 'say: four');
    assert.equal(t3.text, 'three');
    assert.equal(t4.text, 'four');
    assert.equal(rx.hangingCount, 1, 'the turns finished while the receiver still held the request');
  });
});

describe('webhook queue', () => {
  test('bounded: with the receiver stuck, the oldest notifications are dropped, never the process memory', async () => {
    const rx = await new Receiver().start();
    rx.plan.push('hang');
    const n = new WebhookNotifier({
      url: rx.url,
      publicUrl: undefined,
      logger: pino({ level: 'silent' }),
      titleOf: () => undefined,
      maxQueue: 3,
      timeoutMs: 60_000,
    });
    const sid = '00000000-0000-4000-8000-000000000001';
    for (let i = 0; i < 10; i++) n.notify({ type: 'response_complete', session_id: sid, cost_usd: i, turn_count: 1 });
    // ignored: events that give no notification
    n.notify({ type: 'stream_delta', session_id: sid, delta: 'x' });
    const first = await rx.next(() => true);
    assert.equal(first.cost_usd, 0);
    assert.equal(first.link, null);
    assert.equal(first.session_title, 'Session 00000000');
    assert.equal(n.stats.dropped, 6); // 1 in flight, 3 queued, 6 dropped
    n.stop();
    await rx.close();
  });
});
