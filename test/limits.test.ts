// Per-user limits against the real server: over a user's session limit a create is refused
// with its own code (REST and WS), over the monthly budget a turn is refused with the figure
// and the reset day and never reaches the model, and raising the budget lets the next turn
// through. Changes are audited; /metrics counts turns and cost per user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { usd } from '../src/core/accounting/user-limits.js';
import { sqliteDatabase } from '../src/testing/sqlite-database.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
let c: TestClient;
const USER = 'default';

before(async () => {
  h = await startHarness();
  c = await h.client();
});
after(() => h.close());

const nextMonthFirst = () => {
  const n = new Date();
  return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
};

describe('limits', () => {
  test('over the session limit a create is refused (REST and WS) with its own code; ending one frees a place', async () => {
    await h.built.limits.set(USER, USER, { max_sessions: 1, monthly_budget_usd: null });
    const first = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(second.status, 429);
    assert.deepEqual(second.body, {
      error: 'session_limit_reached',
      message: 'You have reached your limit of 1 live sessions. End one to start another.',
    });
    c.send({ type: 'create_session' });
    const e = await c.next('error');
    assert.equal(e.code, 'session_limit_reached');
    assert.equal((await h.api('DELETE', `/api/v1/sessions/${first.body.session_id}`)).status, 200);
    // An ended session coming back counts too.
    const again = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(again.status, 201, JSON.stringify(again.body));
    c.send({ type: 'switch_session', session_id: first.body.session_id });
    const reopened = await c.next('error', (f) => f.session_id === first.body.session_id);
    assert.equal(reopened.code, 'session_limit_reached');
    await h.api('DELETE', `/api/v1/sessions/${again.body.session_id}`);
    await h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: null });
  });

  test('over the monthly budget a turn is refused with the figure and the reset day; raising it lets the next turn through', async () => {
    await h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: 0.01 });
    const id = await c.createSession();
    const first = await c.turn(id, 'hello');
    assert.ok(first.end.cost_usd > 0.01, `one turn costs more than the budget: ${first.end.cost_usd}`);

    const spent = sqliteDatabase(h.built.repos)
      .prepare("SELECT SUM(cost_usd) AS c FROM turns WHERE ended_at >= strftime('%Y-%m-01', 'now')")
      .get() as { c: number };
    const requests = h.model.requestsFor(id).length;
    c.send({ type: 'user_message', session_id: id, text: 'one more' });
    const e = await c.next('error', (f) => f.session_id === id);
    assert.equal(e.code, 'budget_exceeded');
    assert.equal(e.message, `Monthly budget of $0.01 reached ($${spent.c.toFixed(2)} spent). It resets on ${nextMonthFirst()}.`);
    assert.equal(h.model.requestsFor(id).length, requests, 'the refused turn never reached the model');

    await h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: 100 });
    const next = await c.turn(id, 'now it works');
    assert.ok(next.end.cost_usd > 0);

    const changes = (await h.api('GET', '/api/v1/audit?action=limits.changed')).body.entries;
    assert.deepEqual(changes[0].detail, { max_sessions: null, monthly_budget_usd: 100 });
    assert.equal(changes[0].target_user_id, USER);
    assert.equal(changes.length, 4);
  });

  test('per-user metrics: turns and cost by user id', async () => {
    const text = await (await fetch(`${h.url}/metrics`, { headers: { 'X-API-Key': h.key } })).text();
    const value = (name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name}{user_id="${USER}"}`))
          ?.split(' ')
          .at(-1),
      );
    assert.equal(value('csp_user_turns_total'), 2);
    assert.ok(value('csp_user_cost_usd_total') > 0);
  });

  test('dollar figures: cents, more digits only below a cent', () => {
    assert.equal(usd(5), '$5.00');
    assert.equal(usd(5.123), '$5.12');
    assert.equal(usd(0.001), '$0.001');
  });
});

describe('limits and usage routes', () => {
  let alice: { user_id: string; token: string };
  let bob: { user_id: string; token: string };
  before(async () => {
    alice = (await h.api('POST', '/api/v1/users', { name: 'Alice', role: 'member' })).body;
    bob = (await h.api('POST', '/api/v1/users', { name: 'Bob', role: 'member' })).body;
  });

  test('only admins set limits; bad bodies and unknown users are refused; changes are audited with who did it', async () => {
    const path = `/api/v1/users/${alice.user_id}/limits`;
    const denied = await h.api('PUT', path, { max_sessions: 5, monthly_budget_usd: null }, alice.token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error, 'forbidden');
    for (const bad of [
      {},
      { max_sessions: 0, monthly_budget_usd: null },
      { max_sessions: 1, monthly_budget_usd: -1 },
      { max_sessions: 1 },
    ]) {
      const r = await h.api('PUT', path, bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.body.error, 'invalid_message');
    }
    assert.equal((await h.api('PUT', '/api/v1/users/no-such-user/limits', { max_sessions: 1, monthly_budget_usd: null })).status, 404);
    const ok = await h.api('PUT', path, { max_sessions: 1, monthly_budget_usd: 0 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { user_id: alice.user_id, max_sessions: 1, monthly_budget_usd: 0 });
    const entry = (await h.api('GET', `/api/v1/audit?action=limits.changed&user_id=${alice.user_id}`)).body.entries[0];
    assert.equal(entry.actor_user_id, 'default');
    assert.equal(entry.target_user_id, alice.user_id);
    assert.deepEqual(entry.detail, { max_sessions: 1, monthly_budget_usd: 0 });
    // A member's limits do not touch another member.
    const b = await h.api('POST', '/api/v1/sessions', {}, bob.token);
    const b2 = await h.api('POST', '/api/v1/sessions', {}, bob.token);
    assert.equal(b.status, 201);
    assert.equal(b2.status, 201);
    const a = await h.api('POST', '/api/v1/sessions', {}, alice.token);
    assert.equal(a.status, 201);
    assert.equal((await h.api('POST', '/api/v1/sessions', {}, alice.token)).body.error, 'session_limit_reached');
    // A zero budget refuses every turn of hers, on her own socket.
    const ac = await TestClient.connect(h.wsUrl, alice.token);
    await ac.next('session_list');
    ac.send({ type: 'user_message', session_id: a.body.session_id, text: 'hi' });
    assert.equal((await ac.next('error')).code, 'budget_exceeded');
    await ac.close();
    for (const [id, token] of [
      [a.body.session_id, alice.token],
      [b.body.session_id, bob.token],
      [b2.body.session_id, bob.token],
    ])
      await h.api('DELETE', `/api/v1/sessions/${id}`, undefined, token);
  });

  test("usage: a member gets their own figures only (another user's is forbidden); an admin everyone or one user", async () => {
    const mine = await h.api('GET', '/api/v1/usage', undefined, alice.token);
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.deepEqual(
      mine.body.users.map((u: { user_id: string }) => u.user_id),
      [alice.user_id],
    );
    const a = mine.body.users[0];
    assert.deepEqual(a.month, { sessions: 1, turns: 0, cost_usd: 0 });
    assert.deepEqual(a.total, a.month);
    assert.deepEqual(a.limits, { max_sessions: 1, monthly_budget_usd: 0 });
    assert.equal(a.live_sessions, 0);
    assert.equal(mine.body.resets_on, nextMonthFirst());
    assert.equal((await h.api('GET', `/api/v1/usage?user_id=${alice.user_id}`, undefined, alice.token)).status, 200);
    const other = await h.api('GET', `/api/v1/usage?user_id=${bob.user_id}`, undefined, alice.token);
    assert.equal(other.status, 403, 'a member cannot ask for someone else');

    const all = (await h.api('GET', '/api/v1/usage')).body.users as { user_id: string; month: { turns: number; cost_usd: number } }[];
    assert.deepEqual(all.map((u) => u.user_id).sort(), [alice.user_id, bob.user_id, 'default'].sort());
    const admin = all.find((u) => u.user_id === 'default');
    const spent = sqliteDatabase(h.built.repos).prepare('SELECT COUNT(*) AS n, SUM(cost_usd) AS c FROM turns').get() as {
      n: number;
      c: number;
    };
    assert.equal(admin?.month.turns, spent.n, 'every turn so far was the admin’s');
    assert.equal(admin?.month.cost_usd, Math.round(spent.c * 1e6) / 1e6);
    const one = (await h.api('GET', `/api/v1/usage?user_id=${bob.user_id}`)).body.users;
    assert.equal(one.length, 1);
    assert.equal(one[0].month.sessions, 2);
    assert.equal(one[0].by_day[0].day, new Date().toISOString().slice(0, 10));
    assert.equal(one[0].by_day[0].sessions, 2);
    assert.equal((await h.api('GET', '/api/v1/usage?user_id=nobody')).status, 404);
    assert.equal((await h.api('GET', '/api/v1/usage', undefined, null)).status, 401);
  });
});
