// Browser sign-ins follow their credential: one obtained by exchanging a personal token ends when
// the token is revoked; one obtained with the bootstrap key ends when the server restarts with a
// different key (and survives a restart with the same one); disabling the user ends all of theirs.
// /me/sign-ins lists (how obtained, user agent, which is current) and ends them; admins list and
// end a user's. Real server, real SQLite.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';

const dir = tempDir();
let h: Harness;
after(() => h?.close());

async function signIn(secret: string, ua = 'TestBrowser/1.0'): Promise<string> {
  const r = await fetch(`${h.url}/api/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify({ token: secret }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const c = r.headers
    .getSetCookie()
    .map((x) => x.split(';')[0] ?? '')
    .find((x) => x.startsWith('csp_session='));
  assert.ok(c);
  return c;
}

const byCookie = async (cookie: string, method: string, p: string) => {
  const r = await fetch(h.url + p, { method, headers: { cookie, origin: h.url } });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
};

describe('sign-ins follow their credential', () => {
  test('a token exchange ends with the token; the list shows how, the browser and which is current; ending one or all others', async () => {
    h = await startHarness({}, { dir });
    const m = await h.api('POST', '/api/v1/users', { name: 'dana', role: 'member' });
    const token = m.body.token as string;
    const first = await signIn(token, 'Firefox/140');
    const second = await signIn(token, 'Chromium/150');
    const list = await byCookie(first, 'GET', '/api/v1/me/sign-ins');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.sign_ins.length, 2);
    const mine = list.body.sign_ins.find((s: { current: boolean }) => s.current);
    assert.equal(mine.user_agent, 'Firefox/140');
    assert.equal(mine.method, 'token');
    assert.equal(mine.token_name, (await h.api('GET', '/api/v1/me/tokens', undefined, token)).body.tokens[0].name);
    assert.ok(mine.expires_at && mine.created_at && mine.last_used_at);
    // "Sign out everywhere else" keeps the current one.
    assert.deepEqual((await byCookie(first, 'DELETE', '/api/v1/me/sign-ins')).body, { ended: 1 });
    assert.equal((await byCookie(second, 'GET', '/api/v1/me')).status, 401);
    assert.equal((await byCookie(first, 'GET', '/api/v1/me')).status, 200);
    // Another user's sign-in id is unknown to her.
    const adminCookie = await signIn(h.key);
    const adminList = await byCookie(adminCookie, 'GET', '/api/v1/me/sign-ins');
    const adminId = adminList.body.sign_ins[0].id as string;
    assert.equal(adminList.body.sign_ins[0].method, 'key');
    assert.equal((await byCookie(first, 'DELETE', `/api/v1/me/sign-ins/${adminId}`)).status, 404);
    // Revoking the token signs out the browser it was exchanged in.
    const third = await signIn(token);
    const tokenId = (await h.api('GET', '/api/v1/me/tokens', undefined, token)).body.tokens[0].token_id;
    assert.equal((await h.api('DELETE', `/api/v1/me/tokens/${tokenId}`, undefined, token)).status, 200);
    assert.equal((await byCookie(first, 'GET', '/api/v1/me')).status, 401, 'revoked token: signed out');
    assert.equal((await byCookie(third, 'GET', '/api/v1/me')).status, 401);
    // Ending one by id.
    const other = await signIn(h.key);
    const ids = (await byCookie(adminCookie, 'GET', '/api/v1/me/sign-ins')).body.sign_ins as { id: string; current: boolean }[];
    const notMe = ids.find((s) => !s.current);
    assert.ok(notMe);
    assert.deepEqual((await byCookie(adminCookie, 'DELETE', `/api/v1/me/sign-ins/${notMe.id}`)).body, { ended: 1 });
    assert.equal((await byCookie(other, 'GET', '/api/v1/me')).status, 401);
  });

  test('admins list and end a user’s sign-ins; a member may not; disabling ends them all', async () => {
    const m = await h.api('POST', '/api/v1/users', { name: 'eli', role: 'member' });
    const c1 = await signIn(m.body.token);
    const c2 = await signIn(m.body.token);
    const listed = await h.api('GET', `/api/v1/users/${m.body.user_id}/sign-ins`);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.sign_ins.length, 2);
    assert.equal((await h.api('GET', `/api/v1/users/${m.body.user_id}/sign-ins`, undefined, m.body.token)).status, 403);
    assert.equal((await h.api('GET', '/api/v1/users/nobody-here/sign-ins')).body.error, 'user_not_found');
    assert.deepEqual((await h.api('DELETE', `/api/v1/users/${m.body.user_id}/sign-ins`)).body, { ended: 2 });
    for (const c of [c1, c2]) assert.equal((await byCookie(c, 'GET', '/api/v1/me')).status, 401);
    const c3 = await signIn(m.body.token);
    assert.equal((await h.api('DELETE', `/api/v1/users/${m.body.user_id}`)).status, 200);
    assert.equal((await byCookie(c3, 'GET', '/api/v1/me')).status, 401, 'disabled: signed out');
  });

  test('a key exchange survives a restart with the same key and ends with a new key', async () => {
    const cookie = await signIn(h.key);
    await h.close();
    h = await startHarness({}, { dir });
    assert.equal((await byCookie(cookie, 'GET', '/api/v1/me')).status, 200, 'same key: still signed in');
    await h.close();
    h = await startHarness({ CLAUDE_SDK_PATTERN_API_KEY: 'a-different-key-0123456789' }, { dir });
    assert.equal((await byCookie(cookie, 'GET', '/api/v1/me')).status, 401, 'new key: signed out');
  });
});
