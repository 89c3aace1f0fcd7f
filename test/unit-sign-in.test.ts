// Sign-in pieces without a server: the configuration rules, cookie sessions (hash only,
// absolute expiry), and the OIDC claims → identity, role and admission rules.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { OidcSignIn, SignInError } from '../src/core/identity/oidc-sign-in.js';
import { WebSessions } from '../src/core/identity/web-sessions.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';

const OIDC = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'chat', PUBLIC_URL: 'https://chat.example.com/' };

test('OIDC needs a client id and PUBLIC_URL; the redirect URI is PUBLIC_URL/auth/oidc/callback', () => {
  assert.throws(() => loadConfig({ OIDC_ISSUER: 'https://idp.example.com', PUBLIC_URL: 'https://c' }), /OIDC_CLIENT_ID is required/);
  assert.throws(() => loadConfig({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'x' }), /PUBLIC_URL is required/);
  assert.throws(() => loadConfig({ OIDC_CLIENT_ID: 'x' }), /OIDC_CLIENT_ID is set but OIDC_ISSUER is not/);
  assert.throws(() => loadConfig({ ...OIDC, OIDC_ISSUER: 'ftp://idp' }), /OIDC_ISSUER must be an http\(s\) URL/);
  const c = loadConfig(OIDC);
  assert.equal(c.oidc?.redirectUri, 'https://chat.example.com/auth/oidc/callback');
  assert.equal(c.oidc?.groupsClaim, 'groups');
  assert.equal(c.oidc?.scopes, 'openid profile email');
  assert.equal(c.sessionCookieHours, 12);
  assert.equal(loadConfig({}).oidc, null);
  assert.throws(() => loadConfig({ SESSION_COOKIE_HOURS: '0' }), /SESSION_COOKIE_HOURS must be a positive number of hours/);
});

test('AUTH_PROXY_HEADER refuses to start without TRUSTED_PROXY_ADDRESSES (it would trust every peer)', () => {
  assert.throws(() => loadConfig({ AUTH_PROXY_HEADER: 'X-Forwarded-User' }), ConfigError);
  assert.throws(() => loadConfig({ TRUSTED_PROXY_ADDRESSES: '127.0.0.1' }), /AUTH_PROXY_HEADER/);
  assert.throws(() => loadConfig({ AUTH_PROXY_HEADER: 'X User', TRUSTED_PROXY_ADDRESSES: '10.0.0.1' }), /header name/);
  const c = loadConfig({ AUTH_PROXY_HEADER: 'X-Forwarded-User', TRUSTED_PROXY_ADDRESSES: '127.0.0.1, 10.0.0.0/8' });
  assert.deepEqual(c.authProxy, { header: 'x-forwarded-user', trustedAddresses: ['127.0.0.1', '10.0.0.0/8'] });
});

test('cookie sessions: only the hash is stored; expired rows sign no one in and go; sign-out deletes the row', async () => {
  const repos = await openSqlite(':memory:');
  const db = repos.database;
  let now = Date.parse('2026-11-30T10:00:00Z');
  const ws = new WebSessions(repos.webSessions, 3_600_000, () => now);
  const a = await ws.start('alice', 'oidc');
  assert.equal(a.expiresAt.toISOString(), '2026-11-30T11:00:00.000Z');
  const rows = db.prepare('SELECT * FROM web_sessions').all() as { token_hash: string }[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.token_hash, createHash('sha256').update(a.value).digest('hex'));
  assert.ok(!JSON.stringify(rows).includes(a.value), 'the cookie value itself is not stored');
  assert.equal((await ws.resolve(a.value))?.userId, 'alice');
  // Another value of the same shape (the first character: the last one carries unused bits, and may be 'A' already).
  assert.equal(await ws.resolve(`${a.value[0] === 'A' ? 'B' : 'A'}${a.value.slice(1)}`), null);
  assert.equal(await ws.resolve('short'), null);
  assert.equal(await ws.resolve(42), null);
  now += 3_600_000;
  assert.equal(await ws.resolve(a.value), null, 'expired at its expiry time');
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM web_sessions').get() as { n: number }).n, 0);
  const b = await ws.start('bob', 'token');
  assert.equal(await ws.end(b.value), true);
  assert.equal(await ws.resolve(b.value), null);
  await ws.start('carol', 'oidc');
  await ws.start('carol', 'oidc');
  assert.equal((await ws.endAllOf('carol')).length, 2);
  await repos.close();
});

test('OIDC claims: name falls back to preferred_username, email, sub; groups from the configured claim; admin and allowed groups', () => {
  const base = loadConfig({ ...OIDC, OIDC_ADMIN_GROUP: 'chat-admins', OIDC_ALLOWED_GROUP: 'chat-users', OIDC_GROUPS_CLAIM: 'roles' }).oidc;
  assert.ok(base);
  const o = new OidcSignIn(base);
  const ann = o.identityOf({ sub: 's1', preferred_username: 'ann', roles: ['chat-users'] });
  assert.deepEqual(ann, { subject: 's1', name: 'ann', groups: ['chat-users'] });
  assert.equal(o.roleOf(ann), 'member');
  assert.equal(o.allowed(ann), true);
  const boss = o.identityOf({ sub: 's2', name: 'Boss', email: 'b@x', roles: 'chat-admins other' });
  assert.equal(boss.name, 'Boss');
  assert.equal(o.roleOf(boss), 'admin');
  assert.equal(o.allowed(boss), true, 'admins are admitted without the allowed group');
  const out = o.identityOf({ sub: 's3', email: 'out@x' });
  assert.equal(out.name, 'out@x');
  assert.equal(o.allowed(out), false);
  assert.throws(() => o.identityOf({ name: 'no sub' }), SignInError);
  const open = new OidcSignIn({ ...base, adminGroup: '', allowedGroup: '' });
  assert.equal(open.roleOf(out), null, 'no admin group: the role is managed in the app');
  assert.equal(open.allowed(out), true);
});

test('finishing a sign-in that was never started (no pending verifier) is sign_in_expired, before any request', async () => {
  const c = loadConfig(OIDC).oidc;
  assert.ok(c);
  const o = new OidcSignIn(c);
  await assert.rejects(o.finish(undefined, new URL('https://chat.example.com/auth/oidc/callback?code=x&state=y')), {
    reason: 'sign_in_expired',
  });
  await assert.rejects(o.finish('nope', new URL('https://chat.example.com/auth/oidc/callback?code=x&state=y')), {
    reason: 'sign_in_expired',
  });
});

test('trusted proxy addresses: exact addresses and CIDR, IPv4-mapped IPv6 peers as IPv4, anything else untrusted', async () => {
  const { addressMatcher } = await import('../src/api/sign-in.js');
  const trusted = addressMatcher(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  for (const a of ['127.0.0.1', '::ffff:127.0.0.1', '10.1.2.3', '::1', 'fd12::5']) assert.equal(trusted(a), true, a);
  for (const a of ['127.0.0.2', '11.0.0.1', '::ffff:11.0.0.1', 'fe80::1', '', 'not-an-address', undefined])
    assert.equal(trusted(a), false, String(a));
  assert.equal(addressMatcher([])('127.0.0.1'), false, 'an empty list trusts no one');
});
