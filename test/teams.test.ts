// Teams: users and roles, personal API tokens (shown once, hashed, last used, revoked),
// disabling a user (tokens, live sessions, sockets), admin-only routes. Real server, real
// CLI, scripted model; every credential goes through the same headers as the API key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { isAlive } from '../src/core/cli/process-tree.js';
import { ApiToken, CreateTokenResponse, CreateUserResponse, MeResponse, User } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { createUser } from './helpers/users.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  h = await startHarness({ AUTH_FAILURES_PER_MINUTE: '1000' });
});
after(async () => {
  await h.close();
});

const UNAUTHORIZED = { error: 'unauthorized', message: 'Invalid API key' };
const FORBIDDEN = { error: 'forbidden', message: 'This needs the admin role' };

async function authFailures(): Promise<number> {
  const m = await h.built.metrics.registry.getSingleMetric('csp_auth_failures_total')?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}

/** A WebSocket as `token` that was refused: resolves with its close code and reason. */
async function refusedSocket(token: string): Promise<{ code: number | null; reason: string }> {
  const c = await TestClient.connect(h.wsUrl, token);
  await c.whenClosed();
  return { code: c.closeCode, reason: c.closeReason };
}

describe('identity', () => {
  test('the API key is the bootstrap admin `default`, via the key', async () => {
    const r = await h.api('GET', '/api/v1/me');
    assert.equal(r.status, 200);
    assert.deepEqual(MeResponse.parse(r.body), { user_id: 'default', name: 'admin', role: 'admin', via: 'key' });
    // Authorization: Bearer works like X-API-Key
    const b = await fetch(`${h.url}/api/v1/me`, { headers: { authorization: `Bearer ${h.key}` } });
    assert.equal(((await b.json()) as { user_id: string }).user_id, 'default');
  });

  test('an admin creates a member: 201 with a first token shown once, which then works on REST and WS', async () => {
    const r = await h.api('POST', '/api/v1/users', { name: 'Alice', role: 'member' });
    assert.equal(r.status, 201);
    const created = CreateUserResponse.parse(r.body);
    assert.deepEqual(Object.keys(r.body).sort(), ['name', 'role', 'token', 'user_id']);
    assert.match(created.token, /^csp_[A-Za-z0-9_-]{43}$/);
    const me = await h.api('GET', '/api/v1/me', undefined, created.token);
    assert.deepEqual(me.body, { user_id: created.user_id, name: 'Alice', role: 'member', via: 'token' });
    // The list of users never carries a token; the database keeps only a hash.
    const list = await h.api('GET', '/api/v1/users');
    assert.equal(list.status, 200);
    const alice = list.body.users.find((u: User) => u.user_id === created.user_id);
    assert.deepEqual(User.parse(alice), { ...alice, name: 'Alice', role: 'member', disabled: false });
    assert.ok(!JSON.stringify(list.body).includes(created.token));
    const db = new Database(h.env.DATABASE_URL?.replace('sqlite:///', '/') ?? '', { readonly: true });
    try {
      const dump = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
      assert.ok(!dump.includes(created.token), 'the secret is not stored');
      assert.ok(!dump.includes(created.token.slice(4)), 'no part of the secret is stored');
    } finally {
      db.close();
    }
    const c = await TestClient.connect(h.wsUrl, created.token);
    assert.equal((await c.next('session_list')).type, 'session_list');
    await c.close();
    const viaHeader = await TestClient.connect(h.wsUrl, created.token, { via: 'header' });
    await viaHeader.next('session_list');
    await viaHeader.close();
  });

  test('bad bodies get invalid_message; a malformed or unknown user id answers user_not_found', async () => {
    for (const body of [{}, { name: '', role: 'member' }, { name: 'x', role: 'owner' }, { name: 'x', role: 'member', extra: 1 }, 'null']) {
      const r = await h.api('POST', '/api/v1/users', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error, 'invalid_message');
    }
    for (const id of ['no-such-user', 'bad%20id']) {
      const r = await h.api('PATCH', `/api/v1/users/${id}`, { name: 'x' });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { error: 'user_not_found', message: 'User not found' });
    }
    const empty = await h.api('PATCH', '/api/v1/users/default', {});
    assert.equal(empty.status, 400);
  });
});

describe('tokens', () => {
  test('lifecycle: create (shown once), listed without the secret, last_used moves, revoke: 401 like a wrong key and its sockets close', async () => {
    const alice = await createUser(h, 'Tokens');
    const made = await alice.api('POST', '/api/v1/me/tokens', { name: 'ci' });
    assert.equal(made.status, 201);
    const t = CreateTokenResponse.parse(made.body);
    assert.equal(t.last_used_at, null);
    assert.equal(t.revoked_at, null);

    const listed = await alice.api('GET', '/api/v1/me/tokens');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.tokens.map((x: ApiToken) => x.name),
      ['first token', 'ci'],
    );
    for (const x of listed.body.tokens) assert.deepEqual(Object.keys(ApiToken.parse(x)).sort(), Object.keys(x).sort(), 'no secret field');
    assert.ok(!JSON.stringify(listed.body).includes(t.token));
    assert.equal(listed.body.tokens.find((x: ApiToken) => x.token_id === t.token_id).last_used_at, null);

    // used once: last_used_at is set
    assert.equal((await h.api('GET', '/api/v1/me', undefined, t.token)).status, 200);
    const used = (await alice.api('GET', '/api/v1/me/tokens')).body.tokens.find((x: ApiToken) => x.token_id === t.token_id);
    assert.ok(used.last_used_at && Date.parse(used.last_used_at) >= Date.parse(t.created_at), JSON.stringify(used));
    // cheap: used again within the minute, the row is not written again
    assert.equal((await h.api('GET', '/api/v1/me', undefined, t.token)).status, 200);
    const again = (await alice.api('GET', '/api/v1/me/tokens')).body.tokens.find((x: ApiToken) => x.token_id === t.token_id);
    assert.equal(again.last_used_at, used.last_used_at);

    // a socket opened with it, then revoke: the socket closes, every use is refused like a wrong key (and counted)
    const sock = await TestClient.connect(h.wsUrl, t.token);
    await sock.next('session_list');
    const revoked = await alice.api('DELETE', `/api/v1/me/tokens/${t.token_id}`);
    assert.equal(revoked.status, 200);
    assert.ok(ApiToken.parse(revoked.body).revoked_at);
    await sock.whenClosed();
    assert.equal(sock.closeCode, 1008);
    const before = await authFailures();
    const r = await h.api('GET', '/api/v1/me', undefined, t.token);
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, UNAUTHORIZED);
    assert.deepEqual(await refusedSocket(t.token), { code: 1008, reason: 'Invalid API key' });
    assert.equal(await authFailures(), before + 2, 'both refusals are counted by the failed-authentication limiter');
    // the other token still works; revoking again answers the same row; someone else's token id is unknown
    assert.equal((await alice.api('GET', '/api/v1/me')).status, 200);
    assert.equal((await alice.api('DELETE', `/api/v1/me/tokens/${t.token_id}`)).status, 200);
    const mine = (await h.api('POST', '/api/v1/me/tokens', { name: 'admin-own' })).body;
    const stranger = await alice.api('DELETE', `/api/v1/me/tokens/${mine.token_id}`);
    assert.equal(stranger.status, 404);
    assert.deepEqual(stranger.body, { error: 'token_not_found', message: 'Token not found' });
    assert.equal((await h.api('GET', '/api/v1/me', undefined, mine.token)).status, 200, 'untouched');

    // audit entries for both, never with the secret
    const audit = await h.api('GET', `/api/v1/audit?user_id=${alice.user_id}`);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('token.created') && actions.includes('token.revoked'), JSON.stringify(actions));
    assert.ok(!JSON.stringify(audit.body).includes(t.token));
    await alice.close();
  });

  test("an admin lists, creates and revokes another user's tokens; a member cannot", async () => {
    const bob = await createUser(h, 'Bob');
    const carol = await createUser(h, 'Carol');
    const list = await h.api('GET', `/api/v1/users/${bob.user_id}/tokens`);
    assert.equal(list.status, 200);
    assert.equal(list.body.tokens.length, 1);
    const extra = await h.api('POST', `/api/v1/users/${bob.user_id}/tokens`, { name: 'from admin' });
    assert.equal(extra.status, 201);
    assert.equal((await h.api('GET', '/api/v1/me', undefined, extra.body.token)).body.user_id, bob.user_id);
    const gone = await h.api('DELETE', `/api/v1/users/${bob.user_id}/tokens/${extra.body.token_id}`);
    assert.equal(gone.status, 200);
    assert.equal((await h.api('GET', '/api/v1/me', undefined, extra.body.token)).status, 401);
    // a token of another user named under the wrong user: unknown
    const wrong = await h.api('DELETE', `/api/v1/users/${carol.user_id}/tokens/${list.body.tokens[0].token_id}`);
    assert.equal(wrong.status, 404);
    assert.equal(wrong.body.error, 'token_not_found');
    for (const [m, p] of [
      ['GET', `/api/v1/users/${carol.user_id}/tokens`],
      ['POST', `/api/v1/users/${carol.user_id}/tokens`],
      ['DELETE', `/api/v1/users/${carol.user_id}/tokens/${list.body.tokens[0].token_id}`],
    ] as const) {
      const r = await bob.api(m, p, m === 'POST' ? { name: 'x' } : undefined);
      assert.equal(r.status, 403, `${m} ${p}`);
      assert.deepEqual(r.body, FORBIDDEN);
    }
    assert.equal((await bob.api('GET', '/api/v1/me')).status, 200, "bob's own token untouched");
  });
});

describe('roles', () => {
  test('a member gets 403 forbidden on every admin route, before any validation', async () => {
    const m = await createUser(h, 'Member');
    for (const [method, p, body] of [
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { name: 'x', role: 'admin' }],
      ['POST', '/api/v1/users', { bad: true }],
      ['PATCH', '/api/v1/users/default', { role: 'member' }],
      ['PATCH', `/api/v1/users/${m.user_id}`, { role: 'admin' }],
      ['DELETE', '/api/v1/users/default', undefined],
      ['GET', '/api/v1/audit', undefined],
      ['GET', '/api/v1/sessions?all=true', undefined],
      ['GET', '/metrics', undefined],
    ] as const) {
      const r = await m.api(method, p, body);
      assert.equal(r.status, 403, `${method} ${p}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body, FORBIDDEN);
    }
    assert.equal((await h.api('GET', '/api/v1/me', undefined, m.token)).body.role, 'member', 'still a member');
  });

  test('an admin promotes a member, who then may use admin routes; the bootstrap admin cannot be demoted or disabled', async () => {
    const m = await createUser(h, 'Promoted');
    const up = await h.api('PATCH', `/api/v1/users/${m.user_id}`, { role: 'admin', name: 'Promoted Admin' });
    assert.equal(up.status, 200);
    assert.equal(up.body.role, 'admin');
    assert.equal(up.body.name, 'Promoted Admin');
    assert.equal((await m.api('GET', '/api/v1/users')).status, 200);
    for (const [method, body] of [
      ['PATCH', { role: 'member' }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const r = await m.api(method, '/api/v1/users/default', body);
      assert.equal(r.status, 409, `${method} ${JSON.stringify(body)}`);
      assert.equal(r.body.error, 'user_protected');
    }
    assert.equal((await h.api('GET', '/api/v1/me')).body.role, 'admin');
    const renamed = await m.api('PATCH', '/api/v1/users/default', { name: 'Root' });
    assert.equal(renamed.body.name, 'Root');
    assert.equal((await h.api('GET', '/api/v1/me')).body.name, 'Root');
    await h.api('PATCH', '/api/v1/users/default', { name: 'admin' });
    // nor can an admin disable themselves (by PATCH or DELETE): refused, nothing changed
    for (const [method, body] of [
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const self = await m.api(method, `/api/v1/users/${m.user_id}`, body);
      assert.equal(self.status, 409, `${method} self`);
      assert.deepEqual(self.body, { error: 'user_protected', message: 'You cannot disable yourself: ask another admin to do it' });
    }
    assert.equal((await m.api('GET', '/api/v1/users')).status, 200, 'still enabled');
    const down = await h.api('PATCH', `/api/v1/users/${m.user_id}`, { role: 'member' });
    assert.equal(down.body.role, 'member');
    assert.equal((await m.api('GET', '/api/v1/users')).status, 403, 'the role is read on every request');
  });
});

describe('disabling a user', () => {
  test('DELETE disables: tokens refused, live sessions end (process gone), sockets close; re-enabled with a new token', async () => {
    const dave = await createUser(h, 'Dave');
    const c = await dave.client();
    const sid = await c.createSession();
    const pid = (await dave.api('GET', `/api/v1/sessions/${sid}`)).body.subprocess_pid as number;
    assert.ok(isAlive(pid));
    const before = await authFailures();

    const r = await h.api('DELETE', `/api/v1/users/${dave.user_id}`);
    assert.equal(r.status, 200);
    assert.equal(User.parse(r.body).disabled, true);
    await c.whenClosed();
    assert.equal(c.closeCode, 1008);
    assert.equal(c.closeReason, 'User disabled');
    assert.equal(isAlive(pid), false, 'the session process ended before the answer');
    const all = await h.api('GET', '/api/v1/sessions?all=true');
    const s = all.body.sessions.find((x: { session_id: string }) => x.session_id === sid);
    assert.equal(s.status, 'terminated');
    assert.equal(s.user_id, dave.user_id);

    const refused = await dave.api('GET', '/api/v1/me');
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, UNAUTHORIZED);
    assert.deepEqual(await refusedSocket(dave.token), { code: 1008, reason: 'Invalid API key' });
    assert.equal(await authFailures(), before + 2);
    const tokens = await h.api('GET', `/api/v1/users/${dave.user_id}/tokens`);
    assert.ok(
      tokens.body.tokens.every((t: ApiToken) => t.revoked_at !== null),
      'every token revoked',
    );
    // a disabled user gets no new token
    assert.equal((await h.api('POST', `/api/v1/users/${dave.user_id}/tokens`, { name: 'x' })).status, 404);
    const audit = await h.api('GET', `/api/v1/audit?action=user.disabled&user_id=${dave.user_id}`);
    assert.equal(audit.body.entries.length, 1);
    assert.equal(audit.body.entries[0].actor_user_id, 'default');

    // re-enable: the old token stays revoked; an admin issues a new one
    const back = await h.api('PATCH', `/api/v1/users/${dave.user_id}`, { disabled: false });
    assert.equal(back.status, 200);
    assert.equal(back.body.disabled, false);
    assert.equal((await dave.api('GET', '/api/v1/me')).status, 401);
    const fresh = await h.api('POST', `/api/v1/users/${dave.user_id}/tokens`, { name: 'again' });
    assert.equal(fresh.status, 201);
    const list = await h.api('GET', '/api/v1/sessions', undefined, fresh.body.token);
    assert.deepEqual(
      list.body.sessions.map((x: { session_id: string }) => x.session_id),
      [sid],
      'their sessions are still theirs',
    );
    await dave.close();
  });
});
