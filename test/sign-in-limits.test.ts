// OIDC sign-in starts under a flood: starts are limited per client address (429 rate_limited with
// Retry-After, others unaffected), and pending sign-ins are bounded per address, so a flood voids
// only its own: another browser's sign-in started before it still finishes. A real provider
// (oidc-provider) in-process; TRUST_PROXY lets each request speak from its own address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PENDING_PER_ADDRESS, OidcSignIn } from '../src/core/identity/oidc-sign-in.js';
import { ERRORS } from '../src/protocol/errors.js';
import { loginAtProvider } from './helpers/browserless-login.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { type Idp, startIdp } from './helpers/oidc-idp.js';

const PUBLIC = 'http://chat.test';
const CALLBACK = `${PUBLIC}/auth/oidc/callback`;
let idp: Idp;
let h: Harness;

before(async () => {
  idp = await startIdp({ redirectUris: [CALLBACK], accounts: { carol: { name: 'Carol', groups: [] } } });
  h = await startHarness({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    PUBLIC_URL: PUBLIC,
    TRUST_PROXY: '127.0.0.1',
    OIDC_LOGIN_STARTS_PER_MINUTE: '3',
  });
});
after(async () => {
  await h?.close();
  await idp?.close();
});

const start = (ip: string) => fetch(`${h.url}/auth/oidc/login`, { redirect: 'manual', headers: { 'x-forwarded-for': ip } });

describe('OIDC sign-in starts', () => {
  test('limited per address: over the limit 429 rate_limited with Retry-After; another address is unaffected', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await start('10.1.0.1')).status, 302);
    const over = await start('10.1.0.1');
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    const body = (await over.json()) as { error: string; message: string };
    assert.equal(body.error, 'rate_limited');
    assert.notEqual(body.message, ERRORS.rate_limited.message, 'says what was limited');
    assert.equal((await start('10.1.0.2')).status, 302, 'another address still starts');
  });

  test("pending sign-ins are bounded per address: a flood voids only its own; another browser's sign-in still finishes", async () => {
    // The server's sign-in service on the same provider; a flood past any per-minute limit (as many addresses would).
    const config = h.built.config.oidc;
    assert.ok(config);
    const oidc = new OidcSignIn(config);
    const mine = await oidc.begin('10.1.0.9');
    for (let i = 0; i < 1200; i++) await oidc.begin('10.1.0.66');
    assert.equal(oidc.pendingOf('10.1.0.66'), MAX_PENDING_PER_ADDRESS, 'the flood keeps only its newest');
    assert.equal(oidc.pendingOf('10.1.0.9'), 1);
    const back = await loginAtProvider(mine.url, 'carol', CALLBACK);
    const who = await oidc.finish(mine.key, new URL(back));
    assert.equal(who.name, 'Carol', 'signed in');
  });
});
