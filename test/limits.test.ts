// Per-user limits against the real server: over a user's session limit a create is refused
// with its own code (REST and WS), over the monthly budget a turn is refused with the figure
// and the reset day and never reaches the model, and raising the budget lets the next turn
// through. Changes are audited; /metrics counts turns and cost per user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { usd } from '../src/core/user-limits.js';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

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
    h.built.limits.set(USER, USER, { max_sessions: 1, monthly_budget_usd: null });
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
    h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: null });
  });

  test('over the monthly budget a turn is refused with the figure and the reset day; raising it lets the next turn through', async () => {
    h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: 0.01 });
    const id = await c.createSession();
    const first = await c.turn(id, 'hello');
    assert.ok(first.end.cost_usd > 0.01, `one turn costs more than the budget: ${first.end.cost_usd}`);

    const spent = h.built.repo.database
      .prepare("SELECT SUM(cost_usd) AS c FROM turns WHERE ended_at >= strftime('%Y-%m-01', 'now')")
      .get() as { c: number };
    const requests = h.model.requestsFor(id).length;
    c.send({ type: 'user_message', session_id: id, text: 'one more' });
    const e = await c.next('error', (f) => f.session_id === id);
    assert.equal(e.code, 'budget_exceeded');
    assert.equal(e.message, `Monthly budget of $0.01 reached ($${spent.c.toFixed(2)} spent). It resets on ${nextMonthFirst()}.`);
    assert.equal(h.model.requestsFor(id).length, requests, 'the refused turn never reached the model');

    h.built.limits.set(USER, USER, { max_sessions: null, monthly_budget_usd: 100 });
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
