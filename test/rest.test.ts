// REST contract: exact bodies and codes, auth on every protected route.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { isAlive } from '../src/core/cli/process-tree.js';
import { CreateSessionResponse, DeleteSessionResponse, SessionDetailResponse, SessionListResponse } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { waitFor } from './helpers/wait.js';

let h: Harness;
before(async () => {
  // This file sends 15 wrong keys on purpose; the failure limit has its own test.
  h = await startHarness({ no_proxy: '127.0.0.1,localhost', AUTH_FAILURES_PER_MINUTE: '100' });
});
after(async () => {
  await h.close();
});

const UNAUTHORIZED = { error: 'unauthorized', message: 'Invalid API key' };
const NOT_FOUND = { error: 'not_found', message: 'Session not found' };
const ghost = '00000000-0000-4000-8000-000000000000';

test('health/live needs no key', async () => {
  const r = await h.api('GET', '/api/v1/health/live', undefined, null);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ok' });
});

test('every protected route refuses a missing or wrong key with 401', async () => {
  for (const [m, p] of [
    ['GET', '/api/v1/sessions'],
    ['POST', '/api/v1/sessions'],
    ['GET', `/api/v1/sessions/${ghost}`],
    ['DELETE', `/api/v1/sessions/${ghost}`],
    ['PATCH', `/api/v1/sessions/${ghost}`],
    ['GET', `/api/v1/sessions/${ghost}/export`],
    ['GET', '/api/v1/extensions'],
  ] as const) {
    for (const key of [null, 'wrong', 'x'.repeat(300)]) {
      const r = await h.api(m, p, m === 'POST' ? {} : undefined, key);
      assert.equal(r.status, 401, `${m} ${p} key=${key}`);
      assert.deepEqual(r.body, UNAUTHORIZED);
    }
  }
});

test('create, get, list, delete with the exact bodies', async () => {
  const c = await h.api('POST', '/api/v1/sessions', {});
  assert.equal(c.status, 201);
  CreateSessionResponse.parse(c.body);
  assert.equal(c.body.status, 'active');
  assert.equal(c.body.source, 'cold');
  const id = c.body.session_id as string;

  const g = await h.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(g.status, 200);
  SessionDetailResponse.parse(g.body);
  assert.equal(typeof g.body.subprocess_pid, 'number');
  assert.ok(g.body.rss_mb > 10, `rss_mb ${g.body.rss_mb}`);
  assert.equal(g.body.message_count, 0);
  assert.equal(g.body.is_resumable, true);

  const l = await h.api('GET', '/api/v1/sessions');
  SessionListResponse.parse(l.body);
  assert.ok(l.body.sessions.some((s: { session_id: string }) => s.session_id === id));

  const d = await h.api('DELETE', `/api/v1/sessions/${id}`);
  assert.equal(d.status, 200);
  DeleteSessionResponse.parse(d.body);
  assert.deepEqual(d.body, { session_id: id, status: 'terminated', reason: 'user_requested' });
  assert.equal(isAlive(g.body.subprocess_pid), false, 'the CLI process is gone');
});

test('the CLI process gets the environment (config dir, model URL, proxies) but never our API key', async () => {
  const c = await h.api('POST', '/api/v1/sessions', {});
  const pid = (await h.api('GET', `/api/v1/sessions/${c.body.session_id}`)).body.subprocess_pid as number;
  const env = new Map(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
  );
  assert.equal(env.get('CLAUDE_CONFIG_DIR'), h.env.CLAUDE_CONFIG_DIR);
  assert.equal(env.get('ANTHROPIC_BASE_URL'), h.model.url);
  assert.equal(env.get('no_proxy'), '127.0.0.1,localhost');
  assert.equal(env.get('CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC'), '1');
  assert.equal(env.has('CLAUDE_SDK_PATTERN_API_KEY'), false);
  await h.api('DELETE', `/api/v1/sessions/${c.body.session_id}`);
});

test('POST accepts no body or {}, refuses other bodies', async () => {
  const noBody = await h.api('POST', '/api/v1/sessions');
  assert.equal(noBody.status, 201);
  await h.api('DELETE', `/api/v1/sessions/${noBody.body.session_id}`);
  const bad = await h.api('POST', '/api/v1/sessions', { model: 'x' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_message');
  const badJson = await h.api('POST', '/api/v1/sessions', '{nope');
  assert.equal(badJson.status, 400);
  assert.deepEqual(badJson.body, { error: 'invalid_json', message: 'Invalid JSON' });
});

test('unknown and malformed ids are 404 Session not found', async () => {
  for (const id of [ghost, 'not-a-uuid']) {
    for (const m of ['GET', 'DELETE']) {
      const r = await h.api(m, `/api/v1/sessions/${id}`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, NOT_FOUND);
    }
  }
});

test('fuzz finds: a URL that cannot be decoded and an over-long id get errors in the table shape', async () => {
  const bad = await h.api('GET', '/api/v1/sessions/%');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { error: 'invalid_message', message: 'Malformed URL' });
  for (const m of ['GET', 'DELETE']) {
    const long = await h.api(m, `/api/v1/sessions/${'x'.repeat(5000)}`);
    assert.equal(long.status, 404);
    assert.deepEqual(long.body, NOT_FOUND);
  }
});

test('unknown API routes are JSON 404s', async () => {
  const r = await h.api('GET', '/api/v1/nope');
  assert.equal(r.status, 404);
  assert.equal(r.body.error, 'not_found');
});

test('readiness with the pool off: ready while there is capacity', async () => {
  const r = await h.api('GET', '/api/v1/health/ready', undefined, null);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body).sort(), [
    'active_sessions',
    'draining',
    'live_processes',
    'max_sessions',
    'pool_depth',
    'replica_id',
    'status',
  ]);
  assert.equal(r.body.status, 'ready');
  assert.equal(r.body.max_sessions, 10);
  // This replica's own figures (REPLICA_ID defaults to the host name).
  assert.equal(r.body.replica_id, h.built.config.replicaId);
  assert.equal(r.body.draining, false);
  assert.equal(r.body.live_processes, h.built.manager.liveProcessCount);
});

test('a terminated session leaves memory after the reconnect window, and again after a lookup reloads it', async () => {
  const m = h.built.manager;
  const forgotten = (id: string) =>
    waitFor<string>(
      (fn) => {
        m.registry.on('forgotten', fn);
        return () => m.registry.off('forgotten', fn);
      },
      (x) => x === id,
      `session ${id} to leave memory`,
    );
  m.registry.retentionMs = 0;
  try {
    const c = await h.api('POST', '/api/v1/sessions', {});
    const id = c.body.session_id as string;
    const gone = forgotten(id);
    await h.api('DELETE', `/api/v1/sessions/${id}`);
    await gone;
    assert.equal(m.registry.has(id), false);
    // A lookup loads it from the database; it must leave memory again (it used to stay for good).
    const goneAgain = forgotten(id);
    const g = await h.api('GET', `/api/v1/sessions/${id}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.status, 'terminated');
    assert.equal(g.body.is_resumable, true);
    await goneAgain;
    assert.equal(m.registry.has(id), false);
  } finally {
    m.registry.retentionMs = 60_000;
  }
});
