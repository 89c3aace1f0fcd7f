// The PostgreSQL repositories on a throwaway cluster: the behaviours the SQLite engine has (db/ports.ts),
// checked here until and besides the contract suite that runs every engine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Repositories, SessionMetadata } from '../src/db/ports.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';

const skip = pgSkipReason();
let r: Repositories;

before(async () => {
  if (!skip) r = await openPostgres(await freshPgDatabase());
});
after(async () => {
  if (skip) return;
  await r.close();
  await (await sharedPgCluster()).stop();
});

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
function meta(id: string, over: Partial<SessionMetadata> = {}): SessionMetadata {
  return {
    session_id: id,
    user_id: 'u1',
    status: 'idle',
    created_at: t(0),
    last_active_at: t(0),
    subprocess_pid: null,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title: null,
    ...over,
  };
}

test('sessions: save is an upsert that keeps owner and creation, pages follow the cursor, listOf filters', { skip }, async () => {
  for (let i = 0; i < 5; i++) await r.sessions.save(meta(`p${i}`, { last_active_at: t(i), user_id: i % 2 ? 'u2' : 'u1' }));
  await r.sessions.save(meta('p0', { user_id: 'other', created_at: t(9), status: 'active', total_cost_usd: 1.25, model: 'm', title: 'T' }));
  const p0 = await r.sessions.get('p0');
  assert.equal(p0?.user_id, 'u1');
  assert.equal(p0?.created_at, t(0));
  assert.equal(p0?.status, 'active');
  assert.equal(p0?.total_cost_usd, 1.25);
  assert.equal(p0?.is_resumable, true);
  assert.equal(p0?.working_dir, null);
  assert.equal(p0?.archived_at, null);
  await r.workspaces.record('p0', '/w/p0');
  assert.equal((await r.sessions.get('p0'))?.working_dir, '/w/p0');
  assert.equal(await r.workspaces.cwdOf('p0'), '/w/p0');

  const first = await r.sessions.listPage({ limit: 2 });
  assert.deepEqual(
    first.map((s) => s.session_id),
    ['p4', 'p3'],
  );
  const last = first[1] as SessionMetadata;
  const next = await r.sessions.listPage({ limit: 10, cursor: { last_active_at: last.last_active_at, session_id: last.session_id } });
  assert.deepEqual(
    next.map((s) => s.session_id),
    ['p2', 'p1', 'p0'],
  );
  assert.deepEqual(
    (await r.sessions.listPage({ limit: 10, userId: 'u2' })).map((s) => s.session_id),
    ['p3', 'p1'],
  );
  assert.deepEqual(
    (await r.sessions.listOf(['p1', 'p2', 'nope'], { limit: 10 })).map((s) => s.session_id),
    ['p2', 'p1'],
  );
  assert.deepEqual(
    (await r.sessions.listOf(['p1', 'p2'], { limit: 10, userId: 'u1' })).map((s) => s.session_id),
    ['p2'],
  );
  assert.deepEqual(await r.sessions.listOf([], { limit: 10 }), []);

  await r.removals.setArchived('p4', t(10));
  assert.ok(!(await r.sessions.listAll()).some((s) => s.session_id === 'p4'));
  assert.deepEqual(
    (await r.sessions.listPage({ limit: 10, archived: true })).map((s) => s.session_id),
    ['p4'],
  );
  await r.removals.deleteSession('p4');
  assert.equal(await r.sessions.get('p4'), undefined);
});

test('processes and turns', { skip }, async () => {
  await r.sessions.rememberProcess(42, 'st', 'p1');
  await r.sessions.rememberProcess(42, 'st', 'p2');
  assert.deepEqual(await r.sessions.spawnedProcesses(), [{ pid: 42, start_time: 'st', session_id: 'p2' }]);
  await r.sessions.forgetProcess(42, 'st');
  assert.deepEqual(await r.sessions.spawnedProcesses(), []);
  // Each replica reads its own records (pids mean something on their host only).
  await r.sessions.rememberProcess(7, 'a', null, 'replica-a');
  await r.sessions.rememberProcess(8, 'b', 's', 'replica-b');
  assert.deepEqual(await r.sessions.spawnedProcesses('replica-a'), [{ pid: 7, start_time: 'a', session_id: null }]);
  assert.deepEqual((await r.sessions.spawnedProcesses()).map((p) => p.pid).sort(), [7, 8]);
  await r.sessions.forgetProcess(7, 'a');
  await r.sessions.forgetProcess(8, 'b');
  const turn = { session_id: 'p1', started_at: t(1), ended_at: t(2), outcome: 'complete' as const, cost_usd: 0.5, turn_count: 2 };
  await r.sessions.recordTurn(turn);
  await r.sessions.recordTurn({ ...turn, started_at: t(3), ended_at: t(4), context_tokens: 100, context_window: 200 });
  assert.deepEqual(await r.sessions.turnsOf('p1'), [
    { ...turn, context_tokens: null, context_window: null },
    { ...turn, started_at: t(3), ended_at: t(4), context_tokens: 100, context_window: 200 },
  ]);
  assert.equal((await r.sessions.turnsBetween('p1', t(2), t(9))).length, 1);
  assert.equal(await r.limits.costSince('u2', t(0)), 1);
  assert.deepEqual(await r.limits.usageSince('u2', t(0)), { sessions: 2, turns: 2, cost_usd: 1 });
  await r.limits.set({ user_id: 'u3', max_sessions: 2, monthly_budget_usd: null });
  assert.deepEqual(await r.limits.get('u3'), { user_id: 'u3', max_sessions: 2, monthly_budget_usd: null });
  assert.deepEqual(await r.limits.knownUsers(), ['u1', 'u2', 'u3']);
  assert.deepEqual(await r.limits.usageByDay('u2', t(0)), [{ day: '2026-01-01', sessions: 2, turns: 2, cost_usd: 1 }]);
});

test('users, tokens, sign-ins and the audit log', { skip }, async () => {
  const u = {
    user_id: 'u9',
    name: 'N',
    role: 'member' as const,
    oidc_subject: 'sub9',
    disabled: false,
    created_at: t(1),
    updated_at: t(1),
  };
  const token = { token_id: 'tk1', user_id: 'u9', name: 'first', hash: 'h1', created_at: t(1) };
  await r.users.insertUserWithToken(u, token);
  await assert.rejects(r.users.insertUserWithToken({ ...u, user_id: 'u10' }, { ...token, token_id: 'tk2', hash: 'h2' }));
  assert.equal(await r.users.user('u10'), undefined, 'both or neither');
  assert.deepEqual(await r.users.userBySubject('sub9'), u);
  assert.equal(await r.users.activeAdminCount(), 1);
  assert.equal(await r.users.activeUsersBesides('default'), 1);
  assert.equal((await r.users.tokenByHash('h1'))?.token_id, 'tk1');
  assert.equal(await r.users.disableUser('u9', t(2)), 1);
  assert.equal((await r.users.user('u9'))?.disabled, true);
  assert.equal((await r.users.token('tk1'))?.revoked_at, t(2));
  assert.equal(await r.users.revokeToken('tk1', t(3)), false);
  let refused = false;
  r.users.beforeInsert = () => {
    refused = true;
    throw new Error('no');
  };
  await assert.rejects(r.users.insertUser({ ...u, user_id: 'u11', oidc_subject: null }));
  assert.ok(refused);
  r.users.beforeInsert = () => {};

  const ws = {
    token_hash: 'wh',
    id: 'w1',
    user_id: 'u9',
    via: 'key',
    credential: 'key:a',
    user_agent: null,
    created_at: t(1),
    last_used_at: null,
    expires_at: t(100),
  };
  await r.webSessions.insert(ws);
  await r.webSessions.insert({ ...ws, token_hash: 'wh2', id: 'w2', credential: 'key:b', created_at: t(2) });
  assert.deepEqual(
    (await r.webSessions.of('u9', t(5))).map((w) => w.id),
    ['w2', 'w1'],
  );
  assert.deepEqual(await r.webSessions.deleteKeySignInsExcept('key:b'), ['wh']);
  assert.equal(await r.webSessions.deleteExpired(t(100)), 1);

  const a1 = await r.audit.append({
    at: t(1),
    actor_user_id: 'default',
    action: 'x',
    target_user_id: 'u9',
    session_id: null,
    detail: '{}',
  });
  const a2 = await r.audit.append({ at: t(2), actor_user_id: 'u9', action: 'y', target_user_id: null, session_id: 's', detail: '{"k":1}' });
  assert.ok(a2 > a1);
  assert.deepEqual(
    (await r.audit.query({ user_id: 'u9', limit: 10 })).map((e) => e.id),
    [a2, a1],
  );
  assert.deepEqual(
    (await r.audit.query({ before_id: a2, limit: 10 })).map((e) => e.id),
    [a1],
  );
  assert.deepEqual(
    (await r.audit.query({ action: 'y', since: t(2), until: t(3), session_id: 's', limit: 1 })).map((e) => e.detail),
    ['{"k":1}'],
  );
});

test('after close, writes resolve and change nothing', { skip }, async () => {
  const other = await openPostgres(await freshPgDatabase());
  await other.close();
  await other.close();
  await other.sessions.save(meta('late'));
  await other.sessions.forgetProcess(1, 'x');
  assert.equal(
    await other.audit.append({ at: t(1), actor_user_id: 'a', action: 'b', target_user_id: null, session_id: null, detail: '{}' }),
    0,
  );
  assert.deepEqual(await other.history.unsynced(1), []);
});
