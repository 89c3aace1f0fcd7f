// Pre-warm pool (processes started ahead of demand) and capacity, on real CLI processes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../src/core/cli/process-tree.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { waitFor } from './helpers/wait.js';

/** Resolves once the pool holds `depth` warm processes: on the pool's own signal, with a deadline. */
async function poolFilled(h: Harness, depth = 2): Promise<void> {
  const pool = h.built.pool;
  if (pool.depth() >= depth) return;
  await waitFor<number>(
    (fn) => {
      pool.events.on('filled', fn);
      return () => pool.events.off('filled', fn);
    },
    (n) => n >= depth,
    `a pool of ${depth}`,
    60_000,
  );
}

describe('pool of 2', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ PREWARM_POOL_SIZE: '2' });
  });
  after(async () => {
    const pids = h.built.pool.pids();
    assert.ok(pids.length > 0);
    await h.close();
    for (const p of pids) assert.equal(isAlive(p), false, `pooled pid ${p} survived shutdown`);
  });

  const ready = () => h.api('GET', '/api/v1/health/ready', undefined, null);

  test('fills to the target; a pool hit answers pre-warmed with no session_creating; it refills', async () => {
    await poolFilled(h);
    const full = await ready();
    assert.equal(full.status, 200);
    assert.equal(full.body.pool_depth, 2);
    const c = await h.client();
    c.send({ type: 'create_session' });
    const r = await c.next('session_ready');
    assert.equal(r.source, 'pre-warmed');
    assert.equal(c.frames.filter((f) => f.type === 'session_creating').length, 0);
    h.model.enqueue(r.session_id, { kind: 'text', text: 'warm answer' });
    assert.equal((await c.turn(r.session_id, 'hi')).text, 'warm answer');
    await poolFilled(h);
    assert.ok(h.built.pool.stats.taken >= 1);
  });

  test('REST create takes from the pool too; an empty pool reads 503 pool_empty, then refills', async () => {
    await poolFilled(h);
    const a = await h.api('POST', '/api/v1/sessions', {});
    const b = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(a.body.source, 'pre-warmed');
    assert.equal(b.body.source, 'pre-warmed');
    const empty = await ready();
    assert.equal(empty.status, 503);
    assert.deepEqual(empty.body, {
      status: 'not_ready',
      reason: 'pool_empty',
      pool_depth: 0,
      active_sessions: empty.body.active_sessions,
      max_sessions: 10,
      replica_id: h.built.config.replicaId,
      live_processes: empty.body.live_processes,
      draining: false,
    });
    assert.ok(empty.body.live_processes >= 2, 'both pooled sessions run a process here');
    const cold = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(cold.status, 201, 'an empty pool still creates (cold)');
    await poolFilled(h);
    assert.equal((await ready()).status, 200);
    for (const x of [a, b, cold]) await h.api('DELETE', `/api/v1/sessions/${x.body.session_id}`);
  });

  test('changed extensions invalidate warm processes: the next session sees the new skill', async () => {
    await poolFilled(h);
    const stale = h.built.pool.pids();
    const f = path.join(h.projectDir, 'skills/fresh-skill/SKILL.md');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '---\nname: fresh-skill\ndescription: A skill added after the pool filled\n---\nbody\n');
    const c = await h.client();
    const id = await c.createSession();
    h.model.enqueue(id, { kind: 'text', text: 'ok' });
    await c.turn(id, 'hello');
    assert.ok(JSON.stringify(h.model.requestsFor(id).at(-1)?.body).includes('A skill added after the pool filled'));
    for (const p of stale) assert.notEqual(p, (await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid);
    // the stale processes were stopped (stop() resolves once the tree is verified gone) and replaced
    await poolFilled(h);
    await Promise.all(h.built.pool.stopping());
    for (const p of stale) assert.equal(isAlive(p), false, `stale pid ${p} still alive`);
  });
});

describe('capacity', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ MAX_SESSIONS: '3', SESSION_EVICTION: 'off' });
  });
  after(async () => {
    await h.close();
  });

  test('SESSION_EVICTION=off: 20 concurrent creates with MAX_SESSIONS=3 give exactly 3 sessions', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => h.api('POST', '/api/v1/sessions', {})));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 503);
    assert.equal(ok.length, 3);
    assert.equal(refused.length, 17);
    for (const r of refused) assert.deepEqual(r.body, { error: 'capacity_exceeded', message: 'Server at capacity. Max sessions: 3' });
    const rd = await h.api('GET', '/api/v1/health/ready', undefined, null);
    assert.equal(rd.status, 503);
    assert.equal(rd.body.reason, 'at_capacity');
    assert.equal(rd.body.active_sessions, 3);

    const c = await h.client();
    c.send({ type: 'create_session' });
    const e = await c.next('error');
    assert.equal(e.code, 'capacity_exceeded');
    assert.equal(e.message, 'Server at capacity. Max sessions: 3');

    // a destroyed session frees its slot at once
    await h.api('DELETE', `/api/v1/sessions/${ok[0]?.body.session_id}`);
    const again = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(again.status, 201);
  });
});
