// Browser sign-in for teams, walked by accessible names: a real OpenID provider
// (oidc-provider) in this process on loopback, its login form filled in by the browser;
// a refused user, a disabled user, an expired sign-in, sign-out; then the Settings page
// (personal tokens) and the Admin page (users).

import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { type Idp, type IdpAccount, startIdp } from '../helpers/oidc-idp';
import { freePort } from '../helpers/server-process';
import { expect, expectAnswered, expectConnected, newSession, send, test, transcript, WS_DOWN } from './fixtures';
import { TestServer } from './server';

const accounts: Record<string, IdpAccount> = {
  alice: { name: 'Alice Admin', groups: ['chat-users', 'chat-admins'] },
  bob: { name: 'Bob Member', groups: ['chat-users'] },
  eve: { name: 'Eve Outsider', groups: ['elsewhere'] },
  carol: { name: 'Carol Leaving', groups: ['chat-users'] },
};

let idp: Idp;
let server: TestServer;

test.beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdp({ redirectUris: [`${publicUrl}/auth/oidc/callback`], accounts });
  server = await TestServer.start({
    port,
    permissionMode: 'bypassPermissions',
    env: {
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_SCOPES: 'openid profile groups',
      OIDC_ADMIN_GROUP: 'chat-admins',
      OIDC_ALLOWED_GROUP: 'chat-users',
    },
  });
});

// The provider's development login page loads a web font from the internet, which is not reachable here.
test.beforeEach(async ({ page }) => {
  await page.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
});

test.afterAll(async () => {
  await server?.endAllSessions();
  await server?.stop();
  server?.remove();
  await idp?.close();
});

/** From the sign-in page through the provider's login form and back. */
async function signIn(page: Page, login: string): Promise<void> {
  await page.goto(`${server.url}/chat`);
  await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
  await page.getByRole('textbox', { name: 'Enter any login' }).fill(login);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

function account(page: Page) {
  return page.getByRole('navigation', { name: 'Account' });
}

/** Opens the account menu (the name in the header). */
async function accountMenu(page: Page) {
  await account(page)
    .getByRole('button', { name: /^Signed in as/ })
    .click();
  return account(page);
}

test('signs in through the identity provider’s login form: the chat, the name in the header, a turn', async ({ page }) => {
  await signIn(page, 'alice');
  await expectConnected(page);
  expect(new URL(page.url()).pathname).toBe('/chat');
  await expect(account(page).getByRole('button', { name: 'Signed in as Alice Admin admin' })).toBeVisible();
  await expect((await accountMenu(page)).getByRole('link', { name: 'Admin' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(account(page).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await newSession(page);
  await send(page, 'say: signed in and chatting');
  await expect(transcript(page).locator('.msg-assistant')).toContainText('signed in and chatting');
  await expectAnswered(page, 1);
  // A reload keeps the sign-in (the cookie), with no key anywhere in the page.
  await page.reload();
  await expectConnected(page);
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('key');
});

test('a user outside the allowed group is refused with a clear page', async ({ page }) => {
  await signIn(page, 'eve');
  await expect(page.getByRole('alert')).toContainText('not allowed to use this server');
  await expect(page.getByRole('link', { name: 'Sign in with your identity provider' })).toBeVisible();
  expect(page.url()).toBe(`${server.url}/chat`);
});

test.describe('disabled', () => {
  // Disabling closes the user's socket: the page's reconnect attempts may log a failed WebSocket.
  test.use({ allowConsoleErrors: WS_DOWN });

  test('a disabled user is refused with a clear page', async ({ page }) => {
    await signIn(page, 'carol');
    await expectConnected(page);
    const { body } = await server.api<{ users: { user_id: string; name: string }[] }>('GET', '/api/v1/users');
    const carol = body.users.find((u) => u.name === 'Carol Leaving');
    expect(carol).toBeTruthy();
    expect((await server.api('DELETE', `/api/v1/users/${carol?.user_id}`)).status).toBe(200);
    await page.context().clearCookies();
    await signIn(page, 'carol');
    await expect(page.getByRole('alert')).toContainText('Your account is disabled');
  });
});

test('an expired sign-in goes back to the sign-in page, not a broken one', async ({ page }) => {
  await signIn(page, 'bob');
  await expectConnected(page);
  await expect(account(page).getByRole('button', { name: 'Signed in as Bob Member' })).toBeVisible();
  await expect((await accountMenu(page)).getByRole('link', { name: 'Settings' })).toBeVisible();
  await expect(account(page).getByRole('link', { name: 'Admin' })).toHaveCount(0);
  const db = new Database(`${server.dir}/sessions.db`);
  try {
    db.prepare('UPDATE web_sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
  } finally {
    db.close();
  }
  await page.reload();
  await expect(page.getByRole('link', { name: 'Sign in with your identity provider' })).toBeVisible();
  await expect(page.getByLabel('API key or personal token')).toBeVisible();
});

test('sign out ends the sign-in: back to the sign-in page, and a reload stays signed out', async ({ page }) => {
  await signIn(page, 'bob');
  await expectConnected(page);
  await (await accountMenu(page)).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in with your identity provider' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: 'Sign in with your identity provider' })).toBeVisible();
  expect((await page.context().cookies()).filter((c) => c.name === 'csp_session')).toEqual([]);
});

test('Settings: a personal token is created (shown once, copied), listed with its times, used, and revoked; own usage shown', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, 'bob');
  await expectConnected(page);
  await (await accountMenu(page)).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const tokens = page.getByRole('region', { name: 'Personal API tokens' });
  await tokens.getByRole('textbox', { name: 'Token name' }).fill('laptop script');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  const secret = page.getByRole('textbox', { name: 'New token laptop script' });
  await expect(secret).toHaveValue(/^csp_/);
  const value = await secret.inputValue();
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
  const row = tokens.getByRole('row', { name: /laptop script/ });
  await expect(row).toContainText('never');
  // The token works as Bob on the API.
  const me = await fetch(`${server.url}/api/v1/me`, { headers: { 'X-API-Key': value } });
  expect(((await me.json()) as { name: string }).name).toBe('Bob Member');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(secret).toHaveCount(0);
  await tokens.getByRole('button', { name: 'Revoke laptop script' }).click();
  await expect(row).toHaveCount(0);
  expect((await fetch(`${server.url}/api/v1/me`, { headers: { 'X-API-Key': value } })).status).toBe(401);
  const usage = page.getByRole('region', { name: 'Your usage' });
  await expect(usage).toContainText('monthly budgets start again');
  await expect(usage.getByRole('table', { name: 'Your usage' })).toContainText('no session limit');
  await page.getByRole('link', { name: 'Back to chat' }).click();
  await expectConnected(page);
});

test('Admin: users are created (first token shown once), promoted, disabled and enabled; limits set; the audit log filtered', async ({
  page,
}) => {
  await signIn(page, 'alice');
  await expectConnected(page);
  await (await accountMenu(page)).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Admin' })).toBeVisible();
  const users = page.getByRole('region', { name: 'Users' });
  await users.getByRole('textbox', { name: 'Name' }).fill('Dora Script');
  await users.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('textbox', { name: 'First token of Dora Script' })).toHaveValue(/^csp_/);
  const row = users.getByRole('row', { name: /Dora Script/ });
  await expect(row).toContainText('active');
  await users.getByRole('combobox', { name: 'Role of Dora Script' }).selectOption('admin');
  await expect(users.getByRole('combobox', { name: 'Role of Dora Script' })).toHaveValue('admin');
  await users.getByRole('button', { name: 'Disable Dora Script' }).click();
  await expect(row).toContainText('disabled');
  await users.getByRole('button', { name: 'Enable Dora Script' }).click();
  // an admin cannot disable themselves: their own row offers no Disable
  const own = users.getByRole('row').filter({ hasText: '(you)' });
  await expect(own).toContainText('You');
  await expect(own.getByRole('button', { name: /^Disable/ })).toHaveCount(0);
  await expect(row).toContainText('active');
  const { body } = await server.api<{ users: { user_id: string; name: string; role: string; disabled: boolean }[] }>(
    'GET',
    '/api/v1/users',
  );
  const dora = body.users.find((u) => u.name === 'Dora Script');
  expect(dora).toMatchObject({ role: 'admin', disabled: false });

  // Limits in the usage table (a reload lists the new user there), then the audit log filtered.
  await page.reload();
  const usage = page.getByRole('region', { name: 'Usage and limits' });
  await usage.getByRole('textbox', { name: 'Max sessions of Dora Script' }).fill('3');
  await usage.getByRole('textbox', { name: 'Monthly budget (USD) of Dora Script' }).fill('5');
  await usage.getByRole('button', { name: 'Save limits of Dora Script' }).click();
  // the fields say their units, and Save says it saved
  await expect(usage).toContainText('live sessions');
  await expect(usage).toContainText('a month');
  await expect(usage.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect
    .poll(
      async () =>
        (await server.api<{ users: { limits: unknown }[] }>('GET', `/api/v1/usage?user_id=${dora?.user_id}`)).body.users[0]?.limits,
    )
    .toEqual({ max_sessions: 3, monthly_budget_usd: 5 });
  const audit = page.getByRole('region', { name: 'Audit log' });
  await audit.getByRole('combobox', { name: 'Action' }).selectOption('limits.changed');
  await audit.getByRole('button', { name: 'Filter' }).click();
  const entry = audit.getByRole('table', { name: 'Audit entries' }).getByRole('row', { name: /limits\.changed/ });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('Dora Script');
  await expect(entry).toContainText('Alice Admin');
});
