// Words people understand and polish (issue 18 items 5 and 7), walked by accessible names:
// usage counts live processes and sleeping sessions apart; revoking the token this browser
// signed in with warns first.
import { expect, expectConnected, test } from './fixtures';

test('Settings: usage counts live processes and sleeping sessions apart; revoking the token you signed in with warns', async ({
  page,
  server,
}) => {
  const res = await fetch(`${server.url}/api/v1/me/tokens`, {
    method: 'POST',
    headers: { 'X-API-Key': server.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'this browser' }),
  });
  const { token } = (await res.json()) as { token: string };
  await page.goto(`${server.url}/chat#token=${encodeURIComponent(token)}`);
  await expectConnected(page);
  await page.goto(`${server.url}/chat#settings`);
  const usage = page.getByRole('table', { name: 'Your usage' });
  await expect(usage.getByRole('columnheader', { name: 'Live processes' })).toBeVisible();
  await expect(usage.getByRole('columnheader', { name: 'Sleeping sessions' })).toBeVisible();

  const tokens = page.getByRole('region', { name: 'Personal API tokens' });
  const row = tokens.getByRole('row', { name: /this browser/ });
  await expect(row).toContainText('signed in with this one');
  // Cancelled: the token stays (and so does this sign-in).
  let warned = '';
  page.once('dialog', (d) => {
    warned = d.message();
    void d.dismiss();
  });
  await tokens.getByRole('button', { name: 'Revoke this browser' }).click();
  expect(warned).toContain('signs you out of this browser');
  await expect(row).toHaveCount(1);
  expect((await fetch(`${server.url}/api/v1/me`, { headers: { 'X-API-Key': token } })).status).toBe(200);
});
