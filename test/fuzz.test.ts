// Property-based fuzzing of the real server (in this process, over real sockets):
// generated WebSocket frames and REST requests, valid, mutated and hostile. What
// must hold: every bad frame gets exactly one `error` frame with the code the
// protocol implies, REST errors use the one table and shape, no key-less request
// succeeds, nothing is polluted, and a real session still answers afterwards.
// FUZZ_FRAMES, FUZZ_REQUESTS and FUZZ_SEED size the run (`npm run fuzz` runs a large one).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { ATTACHMENT_DEFAULTS, wsMaxFrameBytes } from '../src/protocol/attachments.js';
import { ERRORS, type ErrorCode, type WsErrorCode } from '../src/protocol/errors.js';
import { ClientMessage, ErrorBody, ServerFrame, SessionListResponse } from '../src/protocol/messages.js';
import { type FrameSpec, frameSpec, type RestRequest, restRequest, type WsFrame } from './helpers/fuzz-arbitraries.js';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
/** The server's frame limit at the default attachment limits (a message with every attachment at the per-message limit). */
const MAX_FRAME_BYTES = wsMaxFrameBytes(ATTACHMENT_DEFAULTS.maxMessageMb);

let h: Harness;
let setup: TestClient;
let poisoning: typeof import('@fast-check/poisoning');
const sessions: string[] = [];

before(async () => {
  // Full from the start (2 of 2): generated create_session frames and POSTs get capacity_exceeded
  // instead of starting thousands of CLI processes.
  // Generated requests carry wrong keys by the hundred: the failed-authentication limit
  // (its own test in security-http.test.ts) would refuse the rest of the run with 429.
  h = await startHarness({ MAX_SESSIONS: '2', SESSION_EVICTION: 'off', PREWARM_POOL_SIZE: '0', AUTH_FAILURES_PER_MINUTE: '1000000' });
  setup = await h.client();
  sessions.push(await setup.createSession(), await setup.createSession());
  h.model.enqueue(sessions[0], { kind: 'text', text: 'Remembered: KIWI.' });
  assert.equal((await setup.turn(sessions[0] as string, 'Remember KIWI')).text, 'Remembered: KIWI.');
  // Imported now, after the server is up: it records every global reachable from globalThis
  // as the baseline that assertNoPoisoning compares against.
  // fetch() is warmed first: its first call installs undici's globals, which is not poisoning.
  assert.equal((await h.api('GET', '/api/v1/sessions')).status, 200);
  poisoning = await import('@fast-check/poisoning');
});
after(async () => {
  await h?.close();
});

/** A raw connection that hands out server frames in order (broadcast session_updated and session_deleted frames are skipped). */
class FrameReader {
  private readonly queue: unknown[] = [];
  private waiter: ((v: unknown) => void) | null = null;
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type?: string };
      if (f.type === 'session_updated' || f.type === 'session_deleted') return;
      this.push(f);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.push({ type: '__closed__', code, reason: reason.toString() });
    });
  }

  static async open(h: Harness): Promise<FrameReader> {
    const ws = new WebSocket(`${h.wsUrl}?api_key=${h.key}`);
    const r = new FrameReader(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return r;
  }

  private push(f: unknown): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(f);
    } else this.queue.push(f);
  }

  get pending(): number {
    return this.queue.length;
  }

  take(timeoutMs = 20_000): Promise<unknown> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = null;
        reject(new Error('no reply from the server'));
      }, timeoutMs);
      this.waiter = (f) => {
        clearTimeout(t);
        resolve(f);
      };
    });
  }

  send(f: WsFrame): void {
    if (f.binary) this.ws.send(f.bytes, { binary: true });
    else this.ws.send(f.text);
  }
}

// ---------------------------------------------------------------- the WebSocket oracle

interface Expectation {
  code: WsErrorCode;
  sessionId?: string;
}

/** What the server must answer to one frame, given the connection's last client seq (updated as the server does). */
function expectedReply(frame: WsFrame, state: { lastSeq: number }): Expectation {
  if (frame.binary) return { code: 'invalid_message' };
  // The server sees UTF-8: lone surrogates arrive as U+FFFD, exactly as here.
  const text = Buffer.from(frame.text, 'utf8').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { code: 'invalid_json' };
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) return { code: 'invalid_message' };
  const msg = parsed.data;
  if (msg.seq !== undefined) {
    if (msg.seq <= state.lastSeq) return { code: 'invalid_message' };
    state.lastSeq = msg.seq;
  }
  switch (msg.type) {
    case 'create_session':
      return { code: 'capacity_exceeded' };
    case 'permission_response':
      return { code: 'invalid_message' };
    default:
      return { code: 'session_not_found', sessionId: msg.session_id };
  }
}

function toFrame(spec: FrameSpec, state: { lastSeq: number }): WsFrame {
  if ('frame' in spec) return spec.frame;
  const seq = spec.seq === 'none' ? undefined : spec.seq === 'next' ? state.lastSeq + 1 : spec.seq === 'same' ? state.lastSeq : spec.seq;
  const m = spec.msg;
  const withSeq = seq !== undefined && typeof m === 'object' && m !== null && !Array.isArray(m) ? { ...m, seq } : m;
  return { binary: false, text: JSON.stringify(withSeq) ?? 'undefined' };
}

const show = (f: WsFrame) => (f.binary ? `binary ${Buffer.from(f.bytes).toString('hex').slice(0, 200)}` : f.text.slice(0, 300));

/** One frame's reply must be an error frame of the expected code (and session), with a plain message. */
function checkReply(raw: unknown, want: Expectation): string | null {
  const got = ServerFrame.safeParse(raw);
  if (!got.success) return `not a protocol frame: ${JSON.stringify(raw).slice(0, 300)}`;
  const f = got.data;
  if (f.type !== 'error') return `not an error frame: ${JSON.stringify(f).slice(0, 300)}`;
  if (f.code !== want.code) return `code ${f.code} (${f.message}) instead of ${want.code}`;
  if (want.sessionId && f.session_id !== want.sessionId) return `session_id ${f.session_id} instead of ${want.sessionId}`;
  if (!(f.message.length > 0 && f.message.length < 500)) return `message of ${f.message.length} characters`;
  if (/\bat .+:\d+:\d+|TypeError|RangeError|Maximum call stack/.test(f.message)) return `internals in the message: ${f.message}`;
  return null;
}

const BATCH = 25;

test(`${FRAMES} generated WebSocket frames: one error frame each, with the code the protocol implies`, async () => {
  const r = await FrameReader.open(h);
  const list = ServerFrame.parse(await r.take());
  assert.equal(list.type, 'session_list');
  const state = { lastSeq: 0 };
  const seen = new Map<string, number>();
  let bytes = 0;
  let sent = 0;
  const t0 = performance.now();
  // Frames go out in batches (a round trip per frame is slow on a loaded machine). The server
  // checks seq in arrival order, so the oracle's state follows it; replies of the few async
  // paths (create_session) may overtake, so a batch's replies are matched as a multiset, and a
  // mismatching batch is replayed frame by frame to name the culprit.
  let specs: FrameSpec[] = [];
  for (let b = 0; sent < FRAMES; b++) {
    // generated in chunks (one sample call per batch is slow), seeded per chunk: reproducible
    if (specs.length === 0) specs = fc.sample(frameSpec, { numRuns: Math.min(20 * BATCH, FRAMES - sent), seed: SEED + b });
    const chunk = specs.splice(0, BATCH);
    sent += chunk.length;
    const batch: { frame: WsFrame; want: Expectation }[] = [];
    for (const spec of chunk) {
      const frame = toFrame(spec, state);
      const size = frame.binary ? frame.bytes.length : Buffer.byteLength(frame.text);
      if (size > MAX_FRAME_BYTES) continue; // the transport limit has its own test below
      bytes += size;
      batch.push({ frame, want: expectedReply(frame, state) });
    }
    for (const { frame } of batch) r.send(frame);
    const replies: unknown[] = [];
    for (let i = 0; i < batch.length; i++) replies.push(await r.take());
    const unmatched = [...replies];
    const failures: string[] = [];
    for (const { frame, want } of batch) {
      const i = unmatched.findIndex((raw) => checkReply(raw, want) === null);
      if (i >= 0) unmatched.splice(i, 1);
      else failures.push(`${show(frame)} wanted ${JSON.stringify(want)}`);
    }
    assert.deepEqual(failures, [], `batch ${b}: unanswered frames; replies left: ${JSON.stringify(unmatched).slice(0, 1000)}`);
    for (const raw of replies) {
      const code = (raw as { code: string }).code;
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  // Nothing arrived that was not a reply: a last known frame gets the very next reply.
  r.send({ binary: false, text: '{"type":"sentinel"}' });
  const last = (await r.take()) as Record<string, unknown>;
  assert.deepEqual([last.type, last.code, last.message], ['error', 'invalid_message', 'Unknown message type: sentinel']);
  assert.equal(r.pending, 0);
  assert.equal(r.closed, null, 'the connection stayed open');
  r.ws.close();
  // Every kind of reply was exercised, not just one.
  if (FRAMES >= 1000)
    for (const code of ['invalid_json', 'invalid_message', 'session_not_found', 'capacity_exceeded'])
      assert.ok((seen.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...seen])}`);
  console.log(
    `fuzz ws: ${FRAMES} frames (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s, seed ${SEED}: ${JSON.stringify(Object.fromEntries(seen))}`,
  );
});

test('frames over the transport limit (attachments at their per-message limit) close the socket with 1009; the server and other sockets carry on', async () => {
  const r = await FrameReader.open(h);
  await r.take(); // session_list
  // Above the old 1 MiB and under the limit: an ordinary frame that gets its ordinary answer.
  r.send({ binary: false, text: JSON.stringify({ type: 'user_message', session_id: sessions[0], text: 'x'.repeat(2 * 1024 * 1024) }) });
  assert.deepEqual(
    [((await r.take()) as { code?: string }).code, MAX_FRAME_BYTES > 2 * 1024 * 1024, MAX_FRAME_BYTES < 64 * 1024 * 1024],
    ['invalid_message', true, true],
  );
  r.send({ binary: false, text: JSON.stringify({ type: 'user_message', session_id: sessions[0], text: 'x'.repeat(MAX_FRAME_BYTES) }) });
  assert.deepEqual(await r.take(), { type: '__closed__', code: 1009, reason: '' });
  const r2 = await FrameReader.open(h);
  assert.equal(((await r2.take()) as { type: string }).type, 'session_list');
  r2.ws.close();
});

// ---------------------------------------------------------------- REST

function request(r: RestRequest): Promise<{ status: number; body: string; contentType: string }> {
  const u = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: r.method,
        path: r.path,
        // framed explicitly: Node sends a DELETE body without a length, which the server reads as a second request
        headers: { ...r.headers, ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}) },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type']),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('REST request timed out')));
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

const isAuthedPath = (p: string) => /^\/(api\/v1\/(sessions|extensions|me|users|audit|replicas)|metrics)(\/|\?|$)/.test(p);

test(`${REQUESTS} generated REST requests: table errors in the one shape, nothing without the key, nothing created`, async () => {
  const statuses = new Map<number, number>();
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(restRequest(h.key), async (req) => {
      const what = `${req.method} ${req.path.slice(0, 120)} ${JSON.stringify(req.headers).slice(0, 200)} ${String(req.body).slice(0, 120)}`;
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(req);
      } catch (e) {
        // The server may answer a body over the limit before reading it all, then close.
        if (req.body && req.body.length > 1024 * 1024 && /EPIPE|ECONNRESET/.test(String(e))) return;
        throw new Error(`${String(e)} for ${what}`);
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const health = req.path.startsWith('/api/v1/health/');
      assert.ok(
        res.status < 500 || (res.status === 503 && (health || req.method === 'POST')),
        `status ${res.status} for ${what}: ${res.body.slice(0, 200)}`,
      );
      // (the web UI's index.html answers any other unknown non-API path and method)
      if (res.status < 300 && isAuthedPath(req.path) && !res.contentType.startsWith('text/html'))
        assert.equal(req.headers['x-api-key'], h.key, `success without the key: ${what}`);
      if (req.path.startsWith('/api/') && !health && res.status >= 400 && req.method !== 'HEAD') {
        const body = ErrorBody.safeParse(JSON.parse(res.body));
        assert.ok(body.success, `not the error shape: ${res.body.slice(0, 200)} for ${what}`);
        const code = body.data.error as ErrorCode;
        assert.ok(code in ERRORS, `code ${code} is not in the table`);
        assert.equal(ERRORS[code].status, res.status, `status of ${code} for ${what}`);
        assert.doesNotMatch(body.data.message, /\bat .+:\d+:\d+|TypeError|RangeError/);
      }
    }),
    { numRuns: REQUESTS, seed: SEED, endOnFailure: true, includeErrorInReport: true },
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(`fuzz rest: ${REQUESTS} requests in ${seconds.toFixed(1)} s, seed ${SEED}: ${JSON.stringify(Object.fromEntries(statuses))}`);
  const list = await h.api('GET', '/api/v1/sessions');
  assert.equal(list.status, 200);
  assert.deepEqual(
    SessionListResponse.parse(list.body)
      .sessions.map((s) => s.session_id)
      .sort(),
    [...sessions].sort(),
  );
});

test('afterwards: nothing polluted, REST answers, and a real session still answers with its context', async () => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
  poisoning.assertNoPoisoning();
  assert.equal((await h.api('GET', '/api/v1/health/live')).status, 200);
  const id = sessions[0] as string;
  h.model.enqueue(id, { kind: 'text', text: 'Still here: KIWI.' });
  const r = await setup.turn(id, 'What did I ask you to remember?', 60_000);
  assert.equal(r.text, 'Still here: KIWI.');
  assert.ok(h.model.requestsFor(id).at(-1)?.userTexts.includes('Remember KIWI'));
  assert.deepEqual(setup.invalid, []);
});
