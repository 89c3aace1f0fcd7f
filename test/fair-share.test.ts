// Fair share of MAX_SESSIONS: alone, the built-in admin may hold every slot (the spec's single-user
// install); once other users exist, a user with no limit of their own holds at most
// MAX_SESSIONS_PER_USER live sessions (default half of MAX_SESSIONS, at least 1), so one user
// cannot take every slot; a limit of their own wins. Real server and CLI, scripted model.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ MAX_SESSIONS: '2', SESSION_EVICTION: 'off' });
});
after(() => h.close());

const create = (key?: string) => h.api('POST', '/api/v1/sessions', {}, key);
const end = (id: string, key?: string) => h.api('DELETE', `/api/v1/sessions/${id}`, undefined, key);

describe('fair share', () => {
  test('MAX_SESSIONS_PER_USER: half of MAX_SESSIONS by default, at least 1; a bad value refuses to start', () => {
    assert.equal(loadConfig({ MAX_SESSIONS: '10' }).maxSessionsPerUser, 5);
    assert.equal(loadConfig({ MAX_SESSIONS: '1' }).maxSessionsPerUser, 1);
    assert.equal(loadConfig({ MAX_SESSIONS: '10', MAX_SESSIONS_PER_USER: '3' }).maxSessionsPerUser, 3);
    assert.throws(
      () => loadConfig({ MAX_SESSIONS_PER_USER: '0' }),
      (e: Error) => e instanceof ConfigError && /MAX_SESSIONS_PER_USER/.test(e.message),
    );
  });

  test('alone, the admin keeps every slot; once a member exists each user without a limit holds half; their own limit wins', async () => {
    const a1 = await create();
    const a2 = await create();
    assert.equal(a1.status, 201, JSON.stringify(a1.body));
    assert.equal(a2.status, 201, 'a single-user install keeps all of MAX_SESSIONS');
    assert.equal((await end(a2.body.session_id)).status, 200);

    const m = await h.api('POST', '/api/v1/users', { name: 'member-one', role: 'member' });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const token = m.body.token as string;
    // The admin holds 1 of 2: at the fair share now.
    const over = await create();
    assert.equal(over.status, 429, JSON.stringify(over.body));
    assert.deepEqual(over.body, {
      error: 'session_limit_reached',
      message: 'You have reached your limit of 1 live sessions. End one to start another.',
    });
    // The member still gets a slot: one user could not take them all.
    const mine = await create(token);
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    assert.equal((await create(token)).body.error, 'session_limit_reached');

    // A limit of their own replaces the fair share (the server is full, so now it is capacity).
    assert.equal((await h.api('PUT', `/api/v1/users/${m.body.user_id}/limits`, { max_sessions: 2, monthly_budget_usd: null })).status, 200);
    assert.equal((await create(token)).body.error, 'capacity_exceeded');

    // Disabled, the member no longer counts: the admin has every slot again.
    assert.equal((await h.api('DELETE', `/api/v1/users/${m.body.user_id}`)).status, 200);
    const again = await create();
    assert.equal(again.status, 201, JSON.stringify(again.body));
    for (const id of [a1.body.session_id, again.body.session_id]) await end(id);
  });
});
