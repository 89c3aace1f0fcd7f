// The door's surroundings: security headers, the failed-authentication limit,
// key redaction in logs, body limits, internal errors, and the WebSocket guards
// (Host allowlist, sockets per address, dead-peer heartbeat). TRUST_PROXY lets
// each test speak from its own client address through X-Forwarded-For.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { hostAllowed } from '../src/api/ws-guard.js';
import { ERRORS } from '../src/protocol/errors.js';
import { CSP_DIRECTIVES as PAGE_CSP } from '../src/web/csp.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
let logText = '';
before(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  h = await startHarness(
    {
      AUTH_FAILURES_PER_MINUTE: '3',
      TRUST_PROXY: '127.0.0.1',
      MAX_SOCKETS_PER_ADDRESS: '3',
      WS_PING_INTERVAL_SECONDS: '0.3',
      ALLOWED_HOSTS: 'chat.example.com',
    },
    { logger: pino({ level: 'info' }, sink) },
  );
});
after(() => h.close());

/** fetch from a given client address (the server trusts X-Forwarded-For from loopback). */
async function from(ip: string, path: string, init: { key?: string | null; method?: string; body?: string } = {}) {
  const key = init.key === undefined ? h.key : init.key;
  const res = await fetch(h.url + path, {
    method: init.method ?? 'GET',
    headers: {
      'x-forwarded-for': ip,
      ...(key !== null ? { 'x-api-key': key } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Opens a WebSocket; resolves with the socket once open, or the HTTP status that refused the upgrade. */
function upgrade(
  opts: { ip?: string; key?: string; host?: string; autoPong?: boolean } = {},
): Promise<{ ws?: WebSocket; status?: number; body?: string; retryAfter?: string }> {
  const key = opts.key ?? h.key;
  const ws = new WebSocket(`${h.wsUrl}?api_key=${encodeURIComponent(key)}`, {
    headers: { ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}), ...(opts.host ? { host: opts.host } : {}) },
    autoPong: opts.autoPong ?? true,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    ws.once('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

/** csp_auth_failures_total of one transport in a /metrics text. */
const count = (text: string, transport: 'http' | 'websocket') =>
  Number(text.match(new RegExp(`^csp_auth_failures_total\\{transport="${transport}"\\} (\\d+)$`, 'm'))?.[1] ?? 0);

const closed = (ws: WebSocket) =>
  new Promise<number>((r) => (ws.readyState === WebSocket.CLOSED ? r(-1) : ws.once('close', (code) => r(code))));

describe('headers', () => {
  test('HTML and API responses carry the CSP, nosniff, frame denial and no-referrer', async () => {
    for (const p of ['/chat', '/api/v1/sessions', '/api/v1/health/live', '/no-such-page']) {
      const r = await fetch(h.url + p, { headers: { 'x-api-key': h.key } });
      await r.text();
      const csp = r.headers.get('content-security-policy') ?? '';
      for (const d of [
        "default-src 'self'",
        "script-src 'self'",
        "script-src-attr 'none'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ])
        assert.ok(csp.includes(d), `${p}: CSP has ${d} (got ${csp})`);
      assert.ok(!csp.includes('unsafe-inline'), `${p}: no inline script or style`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', p);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', p);
    }
  });

  test("the header policy holds every directive of the page's own policy", async () => {
    const r = await fetch(`${h.url}/chat`);
    await r.text();
    const header = new Map(
      (r.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [k = '', ...v] = d.trim().split(/\s+/);
        return [k, v.join(' ')] as const;
      }),
    );
    for (const [k, v] of Object.entries(PAGE_CSP)) assert.equal(header.get(k), v.join(' '), k);
  });
});

describe('failed authentication', () => {
  test('a client with the right key is never limited', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await from('10.0.0.1', '/api/v1/sessions')).status, 200);
  });

  test('after the limit: 429 with Retry-After in the error shape, on REST and on the WS upgrade; others unaffected', async () => {
    const attacker = '10.0.0.2';
    const before = await h.built.metrics.registry.metrics();
    for (let i = 0; i < 3; i++) {
      const r = await from(attacker, '/api/v1/sessions', { key: `wrong-key-${i}-0123456789` });
      assert.equal(r.status, 401, `failure ${i + 1} is an ordinary 401`);
    }
    const limited = await from(attacker, '/api/v1/sessions', { key: 'wrong-key-x-0123456789' });
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, { error: 'rate_limited', message: ERRORS.rate_limited.message });
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    // The right key from that address is refused too, so a right guess looks like a wrong one.
    assert.equal((await from(attacker, '/api/v1/sessions')).status, 429);
    assert.equal((await from(attacker, '/metrics')).status, 429);
    // The WebSocket upgrade is refused before it opens.
    const ws = await upgrade({ ip: attacker, key: 'wrong-key-ws-0123456789' });
    assert.equal(ws.ws, undefined, 'no socket opened');
    assert.equal(ws.status, 429);
    assert.equal(JSON.parse(ws.body ?? '{}').error, 'rate_limited');
    assert.ok(Number(ws.retryAfter) >= 1);
    // Another address, with the right key, is unaffected.
    assert.equal((await from('10.0.0.3', '/api/v1/sessions')).status, 200);
    const other = await upgrade({ ip: '10.0.0.3' });
    assert.ok(other.ws, 'another address still opens a socket');
    other.ws?.close();
    // Public routes stay open to the limited address.
    assert.equal((await from(attacker, '/api/v1/health/live', { key: null })).status, 200);
    // Counted in /metrics and logged.
    const after_ = await (await fetch(`${h.url}/metrics`, { headers: { 'x-api-key': h.key } })).text();
    assert.ok(count(after_, 'http') - count(before, 'http') >= 3, 'the three 401s are counted');
    assert.match(logText, /"ip":"10\.0\.0\.2".*"msg":"authentication failed"/);
  });

  test('wrong WebSocket keys count too: the upgrade is refused once over the limit', async () => {
    const ip = '10.0.0.4';
    const before = await h.built.metrics.registry.metrics();
    for (let i = 0; i < 3; i++) {
      const r = await upgrade({ ip, key: `bad-ws-key-${i}-0123456789` });
      assert.ok(r.ws, 'under the limit the socket opens and is closed with 1008 (the spec)');
      if (r.ws) assert.equal(await closed(r.ws), 1008);
    }
    const r = await upgrade({ ip, key: 'bad-ws-key-x-0123456789' });
    assert.equal(r.status, 429);
    assert.equal(count(await h.built.metrics.registry.metrics(), 'websocket') - count(before, 'websocket'), 3);
  });
});

describe('logs', () => {
  test('?api_key= and ?token= are redacted from every log line', async () => {
    const secret = 'wrong-but-secret-0123456789';
    await from('10.0.0.5', `/api/v1/sessions?api_key=${h.key}&x=1`);
    await from('10.0.0.5', `/api/v1/extensions?token=${h.key}`);
    const r = await upgrade({ ip: '10.0.0.5', key: secret });
    if (r.ws) await closed(r.ws);
    assert.ok(logText.includes('[REDACTED]'), 'the request lines were logged, redacted');
    assert.ok(!logText.includes(h.key), 'the key is in no log line');
    assert.ok(!logText.includes(secret), 'a wrong key is in no log line either');
  });
});

describe('the cross-site guard sees the route that runs', () => {
  test('/%61pi/v1/sessions with a cookie and a foreign Origin gets what /api/v1/sessions gets (403 origin_not_allowed); every request is logged', async () => {
    const signIn = await fetch(`${h.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.8.1' },
      body: JSON.stringify({ token: h.key }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c?.startsWith('csp_session='));
    assert.ok(cookie, 'signed in');
    const before = (await from('10.0.8.1', '/api/v1/sessions')).body as { sessions: unknown[] };
    const answers: Record<string, { status: number; body: unknown }> = {};
    for (const p of ['/api/v1/sessions', '/%61pi/v1/sessions', '/api/%76%31/%73essions']) {
      const r = await fetch(h.url + p, {
        method: 'POST',
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json', 'x-forwarded-for': '10.0.8.1' },
        body: '{}',
      });
      answers[p] = { status: r.status, body: await r.json() };
    }
    for (const [p, a] of Object.entries(answers))
      assert.deepEqual(a, { status: 403, body: { error: 'origin_not_allowed', message: ERRORS.origin_not_allowed.message } }, p);
    const after = (await from('10.0.8.1', '/api/v1/sessions')).body as { sessions: unknown[] };
    assert.equal(after.sessions.length, before.sessions.length, 'no session was created');
    const lines = logText.split('\n').filter((l) => l.includes('"incoming request"'));
    for (const p of Object.keys(answers))
      assert.ok(
        lines.some((l) => l.includes(`"url":"${p}"`)),
        `${p} is in the request log`,
      );
    // a path no route serves is logged too; the probes are not
    await fetch(`${h.url}/%61pi/v1/nothing-here`);
    await fetch(`${h.url}/api/v1/health/live`);
    const all = logText.split('\n').filter((l) => l.includes('"incoming request"'));
    assert.ok(all.some((l) => l.includes('"url":"/%61pi/v1/nothing-here"')));
    assert.ok(!all.some((l) => l.includes('"url":"/api/v1/health/live"')));
  });
});

describe('redaction parses the query', () => {
  test('?api%5Fkey=, ?API_KEY=, repeated keys, token: never in a log line; a wrong key is never logged', async () => {
    const wrong = 'wrong-guess-9876543210';
    const k = encodeURIComponent(h.key);
    const urls = [
      `/api/v1/sessions?api%5Fkey=${k}`,
      `/api/v1/sessions?API_KEY=${k}`,
      `/api/v1/sessions?api_key=harmless&api_key=${k}`,
      `/api/v1/extensions?x=1&Token=${k}`,
      `/api/v1/extensions?%61pi_key=${k}#frag`,
    ];
    for (const [i, u] of urls.entries()) assert.equal((await from(`10.0.9.${i + 1}`, u)).status, 200, u);
    // a wrong key in a query the server decodes (%5F is _): refused, counted, logged without it
    const ws = new WebSocket(`${h.wsUrl}?api%5Fkey=${wrong}`, { headers: { 'x-forwarded-for': '10.0.9.20' } });
    const refused = await new Promise<string>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
      ws.once('close', (code) => resolve(`close ${code}`));
      ws.once('error', () => undefined);
    });
    assert.match(refused, /^(http 401|close 1008)$/);
    assert.equal((await from('10.0.9.21', `/api/v1/sessions?API_KEY=${wrong}`, { key: wrong })).status, 401);
    const lines = logText.split('\n');
    for (const u of [
      '/api/v1/sessions?api%5Fkey=[REDACTED]',
      '/api/v1/sessions?API_KEY=[REDACTED]',
      'api_key=[REDACTED]&api_key=[REDACTED]',
    ])
      assert.ok(
        lines.some((l) => l.includes(u)),
        `a request line with ${u}`,
      );
    assert.ok(
      lines.some((l) => l.includes('authentication failed') && l.includes('api%5Fkey=[REDACTED]')),
      'the failure is logged',
    );
    for (const secret of [h.key, k, wrong]) assert.ok(!logText.includes(secret), `${secret} is in no log line`);
  });
});

describe('bodies and errors', () => {
  test('a body over the limit gets 413 in the error shape', async () => {
    const r = await from('10.0.0.6', '/api/v1/sessions', { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) });
    assert.equal(r.status, 413);
    assert.deepEqual(r.body, { error: 'payload_too_large', message: 'Request body too large' });
  });

  test('internal error text never reaches the client (REST and WebSocket)', async () => {
    const m = h.built.manager;
    const original = m.createSession.bind(m);
    m.createSession = async () => {
      throw new Error('SQLITE_CORRUPT at /var/lib/secret/path.db');
    };
    try {
      const r = await from('10.0.0.7', '/api/v1/sessions', { method: 'POST', body: '{}' });
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, { error: 'internal_error', message: 'Internal server error' });
      const c = await TestClient.connect(h.wsUrl, h.key, { headers: { 'x-forwarded-for': '10.0.0.7' } });
      await c.next('session_list');
      c.send({ type: 'create_session' });
      const e = await c.next('error');
      assert.equal(e.code, 'internal_error');
      assert.equal(e.message, 'Internal server error');
      await c.close();
    } finally {
      m.createSession = original;
    }
    assert.ok(logText.includes('SQLITE_CORRUPT'), 'the detail is in the server log');
  });
});

describe('WebSocket guards', () => {
  test('Host allowlist: names other than loopback, the bind host and ALLOWED_HOSTS are refused before the upgrade', async () => {
    const port = new URL(h.url).port;
    const evil = await upgrade({ ip: '10.0.1.1', host: `rebind.attacker.example:${port}` });
    assert.equal(evil.ws, undefined);
    assert.equal(evil.status, 403);
    assert.deepEqual(JSON.parse(evil.body ?? '{}'), { error: 'host_not_allowed', message: 'Host not allowed' });
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `chat.example.com:${port}`]) {
      const ok = await upgrade({ ip: '10.0.1.1', host });
      assert.ok(ok.ws, host);
      ok.ws?.close();
      if (ok.ws) await closed(ok.ws);
    }
  });

  test('hostAllowed: IP literals and loopback names pass, other names only when listed', () => {
    assert.equal(hostAllowed('127.0.0.1:8000', [], '127.0.0.1'), true);
    assert.equal(hostAllowed('[::1]:8000', [], '127.0.0.1'), true);
    assert.equal(hostAllowed('192.168.1.20:8000', [], '0.0.0.0'), true);
    assert.equal(hostAllowed('app.localhost', [], '127.0.0.1'), true);
    assert.equal(hostAllowed('evil.example', [], '127.0.0.1'), false);
    assert.equal(hostAllowed('myhost:8000', [], 'myhost'), true);
    assert.equal(hostAllowed('Chat.Example.com.', ['chat.example.com'], '0.0.0.0'), true);
    assert.equal(hostAllowed('anything', ['*'], '127.0.0.1'), true);
    assert.equal(hostAllowed(undefined, [], '127.0.0.1'), false);
    assert.equal(hostAllowed('bad host/x', [], '127.0.0.1'), false);
  });

  test('open sockets per address are capped; closing one frees a slot', async () => {
    const ip = '10.0.2.1';
    const open: WebSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await upgrade({ ip });
      assert.ok(r.ws, `socket ${i + 1} opens`);
      if (r.ws) open.push(r.ws);
    }
    const refused = await upgrade({ ip });
    assert.equal(refused.status, 429);
    assert.equal(JSON.parse(refused.body ?? '{}').error, 'rate_limited');
    assert.ok((await upgrade({ ip: '10.0.2.2' })).ws?.close() === undefined, 'another address is not capped');
    const first = open.shift() as WebSocket;
    first.close();
    await closed(first);
    // The server sees the TCP close a moment later: retry until the slot is free (bounded).
    let again: Awaited<ReturnType<typeof upgrade>> = {};
    for (let i = 0; i < 50 && !again.ws; i++) again = await upgrade({ ip });
    assert.ok(again.ws, 'a slot freed by a close is usable');
    for (const ws of [...open, again.ws as WebSocket]) ws.close();
  });

  test('a peer that never answers pings is ended; one that does stays', async () => {
    const dead = await upgrade({ ip: '10.0.3.1', autoPong: false });
    const live = await upgrade({ ip: '10.0.3.2' });
    assert.ok(dead.ws && live.ws);
    let pings = 0;
    const threePings = new Promise<void>((r) =>
      live.ws?.on('ping', () => {
        if (++pings === 3) r();
      }),
    );
    const code = await closed(dead.ws);
    assert.equal(code, 1006, 'terminated without a close frame');
    await threePings;
    assert.equal(live.ws.readyState, WebSocket.OPEN, 'the answering peer is still connected');
    live.ws.close();
  });
});
