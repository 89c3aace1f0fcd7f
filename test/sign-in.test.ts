// Browser sign-in against the real server: a real OpenID provider (oidc-provider) on
// loopback, the callback's refusals, the cookie's flags and life, the CSRF rule, the
// key/token exchange, and the trusted-proxy header from a listed and an unlisted address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { loginAtProvider } from './helpers/browserless-login.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { type Idp, type IdpAccount, startIdp } from './helpers/oidc-idp.js';
import { TestClient } from './helpers/ws-client.js';

const PUBLIC = 'http://chat.test';
const CALLBACK = `${PUBLIC}/auth/oidc/callback`;
const accounts: Record<string, IdpAccount> = {
  alice: { name: 'Alice Admin', groups: ['chat-users', 'chat-admins'] },
  bob: { name: 'Bob Member', groups: ['chat-users'] },
  eve: { name: 'Eve Outsider', groups: ['elsewhere'] },
};

let idp: Idp;
let h: Harness;

before(async () => {
  idp = await startIdp({ redirectUris: [CALLBACK], accounts });
  h = await startHarness({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_SCOPES: 'openid profile groups',
    OIDC_ADMIN_GROUP: 'chat-admins',
    OIDC_ALLOWED_GROUP: 'chat-users',
    PUBLIC_URL: PUBLIC,
  });
});
after(async () => {
  await h?.close();
  await idp?.close();
});

/** name=value of a Set-Cookie, and its attributes, lower-cased. */
function cookieOf(res: Response, name: string): { value: string; attrs: string[] } | null {
  for (const c of res.headers.getSetCookie()) {
    const [pair = '', ...attrs] = c.split(';').map((s) => s.trim());
    if (pair.startsWith(`${name}=`)) return { value: pair.slice(name.length + 1), attrs: attrs.map((a) => a.toLowerCase()) };
  }
  return null;
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(h.url + path, { redirect: 'manual', headers });

/** The whole browser round trip: our login redirect, the provider's form, our callback. Returns the callback's answer. */
async function signInAs(login: string): Promise<Response> {
  const start = await get('/auth/oidc/login');
  assert.equal(start.status, 302);
  const pending = cookieOf(start, 'csp_oidc');
  assert.ok(pending, 'the pending sign-in is bound to this browser by a cookie');
  assert.ok(pending.attrs.includes('httponly') && pending.attrs.includes('samesite=lax'));
  const back = await loginAtProvider(String(start.headers.get('location')), login, CALLBACK);
  const u = new URL(back);
  return get(`${u.pathname}${u.search}`, { cookie: `csp_oidc=${pending.value}` });
}

async function me(cookie: string) {
  const r = await get('/api/v1/me', { cookie: `csp_session=${cookie}` });
  return { status: r.status, body: (await r.json()) as { user_id: string; name: string; role: string; via: string } };
}

describe('OIDC sign-in', () => {
  test('through a real provider: lands in /chat with a cookie session (HttpOnly, SameSite=Lax, expiry; not Secure over http); the user is created by sub, named from the claims, admin from the group; the WebSocket takes the cookie', async () => {
    const r = await signInAs('alice');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/chat');
    const c = cookieOf(r, 'csp_session');
    assert.ok(c, 'a session cookie is set');
    assert.ok(c.attrs.includes('httponly'));
    assert.ok(c.attrs.includes('samesite=lax'));
    assert.ok(c.attrs.includes('path=/'));
    assert.ok(!c.attrs.includes('secure'), 'plain http here: a Secure cookie would never come back');
    const expires = Date.parse(c.attrs.find((a) => a.startsWith('expires='))?.slice(8) ?? '');
    assert.ok(expires > Date.now() + 11 * 3600_000 && expires <= Date.now() + 12 * 3600_000 + 5000, 'SESSION_COOKIE_HOURS (12) from now');
    assert.equal(cookieOf(r, 'csp_oidc')?.value, '', 'the pending sign-in cookie is cleared');
    const m = await me(c.value);
    assert.equal(m.status, 200);
    assert.deepEqual({ name: m.body.name, role: m.body.role, via: m.body.via }, { name: 'Alice Admin', role: 'admin', via: 'cookie' });
    // The same sub signs in as the same user.
    const again = cookieOf(await signInAs('alice'), 'csp_session');
    assert.ok(again && again.value !== c.value);
    assert.equal((await me(again.value)).body.user_id, m.body.user_id);
    const users = await h.api('GET', '/api/v1/users');
    assert.equal(users.body.users.filter((u: { name: string }) => u.name === 'Alice Admin').length, 1);

    const ws = await TestClient.connect(h.wsUrl, undefined, { headers: { cookie: `csp_session=${c.value}`, origin: h.url } });
    try {
      await ws.next('session_list');
    } finally {
      await ws.close();
    }
  });

  test('the role follows the admin group at every sign-in; a member sees no admin route', async () => {
    const bob = cookieOf(await signInAs('bob'), 'csp_session');
    assert.ok(bob);
    assert.equal((await me(bob.value)).body.role, 'member');
    const denied = await get('/api/v1/users', { cookie: `csp_session=${bob.value}` });
    assert.equal(denied.status, 403);
    accounts.bob = { name: 'Bob Member', groups: ['chat-users', 'chat-admins'] };
    try {
      const promoted = cookieOf(await signInAs('bob'), 'csp_session');
      assert.ok(promoted);
      assert.equal((await me(promoted.value)).body.role, 'admin');
    } finally {
      accounts.bob = { name: 'Bob Member', groups: ['chat-users'] };
    }
    const demoted = cookieOf(await signInAs('bob'), 'csp_session');
    assert.ok(demoted);
    assert.equal((await me(demoted.value)).body.role, 'member', 'out of the admin group at the provider: a member again');
  });

  test('refused: outside OIDC_ALLOWED_GROUP (not_allowed, no user created); a disabled user (account_disabled), whose cookies stop working', async () => {
    const eve = await signInAs('eve');
    assert.equal(eve.status, 302);
    assert.equal(eve.headers.get('location'), '/chat?signin_error=not_allowed');
    assert.equal(cookieOf(eve, 'csp_session'), null);
    const names = (await h.api('GET', '/api/v1/users')).body.users.map((u: { name: string }) => u.name);
    assert.ok(!names.includes('Eve Outsider'));

    accounts.carol = { name: 'Carol Leaving', groups: ['chat-users'] };
    const carol = cookieOf(await signInAs('carol'), 'csp_session');
    assert.ok(carol);
    const id = (await me(carol.value)).body.user_id;
    assert.equal((await h.api('DELETE', `/api/v1/users/${id}`)).status, 200);
    assert.equal((await me(carol.value)).status, 401, 'a disabled user’s cookie signs no one in');
    const refused = await signInAs('carol');
    assert.equal(refused.headers.get('location'), '/chat?signin_error=account_disabled');
    assert.equal(cookieOf(refused, 'csp_session'), null);
  });

  test('callback errors: no pending sign-in (no PKCE verifier) is sign_in_expired, a wrong state or a provider error is sign_in_failed; none signs in', async () => {
    const noVerifier = await get('/auth/oidc/callback?code=abc&state=xyz');
    assert.equal(noVerifier.headers.get('location'), '/chat?signin_error=sign_in_expired');
    assert.equal(cookieOf(noVerifier, 'csp_session'), null);

    const start = await get('/auth/oidc/login');
    const pending = cookieOf(start, 'csp_oidc');
    assert.ok(pending);
    const back = new URL(await loginAtProvider(String(start.headers.get('location')), 'bob', CALLBACK));
    back.searchParams.set('state', 'not-the-state');
    const badState = await get(`${back.pathname}${back.search}`, { cookie: `csp_oidc=${pending.value}` });
    assert.equal(badState.headers.get('location'), '/chat?signin_error=sign_in_failed');
    assert.equal(cookieOf(badState, 'csp_session'), null);
    // The pending sign-in was used up: the right state afterwards does not sign in either.
    back.searchParams.delete('state');
    const replay = await get(`${back.pathname}${back.search}`, { cookie: `csp_oidc=${pending.value}` });
    assert.equal(replay.headers.get('location'), '/chat?signin_error=sign_in_expired');

    const start2 = await get('/auth/oidc/login');
    const p2 = cookieOf(start2, 'csp_oidc');
    const cancelled = await get('/auth/oidc/callback?error=access_denied&state=x', { cookie: `csp_oidc=${p2?.value}` });
    assert.equal(cancelled.headers.get('location'), '/chat?signin_error=sign_in_failed');
  });
});

describe('cookie session', () => {
  test('the key or a personal token is exchanged for a cookie; a wrong one is 401 and sets nothing; Secure behind a TLS proxy', async () => {
    const wrong = await fetch(`${h.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-key-0123456789' }),
    });
    assert.equal(wrong.status, 401);
    assert.equal(cookieOf(wrong, 'csp_session'), null);
    const ok = await fetch(`${h.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.url },
      body: JSON.stringify({ token: h.key }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { user_id: 'default', name: 'admin', role: 'admin', via: 'cookie' });
    const c = cookieOf(ok, 'csp_session');
    assert.ok(c?.attrs.includes('httponly'));
    assert.equal((await me(c?.value ?? '')).body.user_id, 'default');

    const tls = await startHarness({ TRUST_PROXY: '127.0.0.1' });
    try {
      const r = await fetch(`${tls.url}/api/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ token: tls.key }),
      });
      assert.ok(cookieOf(r, 'csp_session')?.attrs.includes('secure'), 'Secure when the browser talks TLS to the proxy');
    } finally {
      await tls.close();
    }
  });

  test('CSRF: a change by cookie needs our Origin (403 origin_not_allowed otherwise, nothing done); a header credential needs none', async () => {
    const c = cookieOf(
      await fetch(`${h.url}/api/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: h.key }),
      }),
      'csp_session',
    );
    assert.ok(c);
    const post = (headers: Record<string, string>) =>
      fetch(`${h.url}/api/v1/me/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'csrf' }),
      });
    const before = (await h.api('GET', '/api/v1/me/tokens')).body.tokens.length;
    for (const origin of [undefined, 'http://evil.example', 'null']) {
      const r = await post({ cookie: `csp_session=${c.value}`, ...(origin ? { origin } : {}) });
      assert.equal(r.status, 403, `Origin ${origin}`);
      assert.deepEqual(await r.json(), {
        error: 'origin_not_allowed',
        message: 'Origin not allowed: a signed-in browser change must come from this server',
      });
    }
    assert.equal((await h.api('GET', '/api/v1/me/tokens')).body.tokens.length, before, 'nothing was created');
    assert.equal((await post({ cookie: `csp_session=${c.value}`, origin: h.url })).status, 201);
    assert.equal((await post({ cookie: `csp_session=${c.value}`, origin: PUBLIC })).status, 201, 'PUBLIC_URL is ours too');
    assert.equal((await post({ cookie: `csp_session=${c.value}`, 'x-api-key': h.key })).status, 201);
    // A read needs no Origin.
    assert.equal((await me(c.value)).status, 200);
  });

  test('sign-out deletes the row and clears the cookie; an expired row signs no one in', async () => {
    const signIn = () =>
      fetch(`${h.url}/api/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: h.key }),
      });
    const c = cookieOf(await signIn(), 'csp_session');
    assert.ok(c);
    const opened = await TestClient.connect(h.wsUrl, undefined, { headers: { cookie: `csp_session=${c.value}`, origin: h.url } });
    const byKey = await TestClient.connect(h.wsUrl, h.key);
    await opened.next('session_list');
    const out = await fetch(`${h.url}/api/v1/auth/sign-out`, {
      method: 'POST',
      headers: { cookie: `csp_session=${c.value}`, origin: h.url },
    });
    assert.equal(out.status, 200);
    await opened.whenClosed();
    assert.deepEqual([opened.closeCode, opened.closeReason], [1008, 'Signed out'], 'the socket of that sign-in closes');
    await byKey.next('session_list');
    assert.equal(byKey.closeCode, null, 'a socket opened with the key stays');
    await byKey.close();
    const cleared = cookieOf(out, 'csp_session');
    assert.equal(cleared?.value, '');
    assert.ok(cleared?.attrs.some((a) => a.startsWith('expires=thu, 01 jan 1970')));
    assert.equal((await me(c.value)).status, 401, 'a kept copy of the cookie is worthless');

    const c2 = cookieOf(await signIn(), 'csp_session');
    assert.ok(c2);
    assert.equal((await me(c2.value)).status, 200);
    const db = new Database(h.built.config.databasePath);
    try {
      db.prepare('UPDATE web_sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    } finally {
      db.close();
    }
    assert.equal((await me(c2.value)).status, 401);

    // A socket lives no longer than its sign-in.
    const c3 = cookieOf(await signIn(), 'csp_session');
    assert.ok(c3);
    const db3 = new Database(h.built.config.databasePath);
    try {
      db3.prepare('UPDATE web_sessions SET expires_at = ?').run(new Date(Date.now() + 1500).toISOString());
    } finally {
      db3.close();
    }
    const ending = await TestClient.connect(h.wsUrl, undefined, { headers: { cookie: `csp_session=${c3.value}`, origin: h.url } });
    await ending.next('session_list');
    await ending.whenClosed();
    assert.deepEqual([ending.closeCode, ending.closeReason], [1008, 'Sign-in expired']);
  });
});

describe('trusted proxy header', () => {
  test('from a listed address (127.0.0.1) it names the user (created as a member), on REST and the WebSocket', async () => {
    const p = await startHarness({ AUTH_PROXY_HEADER: 'X-Forwarded-User', TRUSTED_PROXY_ADDRESSES: '10.0.0.0/8, 127.0.0.1' });
    try {
      const r = await fetch(`${p.url}/api/v1/me`, { headers: { 'x-forwarded-user': 'dana@example.com' } });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { name: string; role: string; via: string; user_id: string };
      assert.deepEqual({ name: body.name, role: body.role, via: body.via }, { name: 'dana@example.com', role: 'member', via: 'proxy' });
      const again = (await (await fetch(`${p.url}/api/v1/me`, { headers: { 'x-forwarded-user': 'dana@example.com' } })).json()) as {
        user_id: string;
      };
      assert.equal(again.user_id, body.user_id, 'the same name is the same user');
      const ws = await TestClient.connect(p.wsUrl, undefined, { headers: { 'x-forwarded-user': 'dana@example.com' } });
      try {
        await ws.next('session_list');
      } finally {
        await ws.close();
      }
    } finally {
      await p.close();
    }
  });

  test('from an address not in the list the header is refused (401, logged), even beside a valid key, and creates no one', async () => {
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const p = await startHarness({ AUTH_PROXY_HEADER: 'X-Forwarded-User', TRUSTED_PROXY_ADDRESSES: '10.1.2.3' }, { logger });
    try {
      const r = await fetch(`${p.url}/api/v1/me`, { headers: { 'x-forwarded-user': 'mallory' } });
      assert.equal(r.status, 401);
      assert.deepEqual(await r.json(), { error: 'unauthorized', message: 'The sign-in header is accepted only from a trusted proxy' });
      const withKey = await fetch(`${p.url}/api/v1/sessions`, { headers: { 'x-forwarded-user': 'mallory', 'x-api-key': p.key } });
      assert.equal(withKey.status, 401);
      const ws = await TestClient.connect(p.wsUrl, p.key, { headers: { 'x-forwarded-user': 'mallory' } }).catch((e: Error) => e);
      assert.ok(ws instanceof Error, 'the WebSocket upgrade is refused too');
      assert.ok(
        lines.some((l) => l.includes('not a trusted proxy')),
        'logged',
      );
      const users = (await p.api('GET', '/api/v1/users')).body.users.map((u: { name: string }) => u.name);
      assert.ok(!users.includes('mallory'));
      assert.equal((await p.api('GET', '/api/v1/sessions')).status, 200, 'without the header the key works as ever');
    } finally {
      await p.close();
    }
  });
});
