// Issue 18 item 4: short titles, "Fork of <title>", date groups, no row for an unused session,
// and no Resume button on rows.
import { expect, expectAnswered, newSession, openChat, send, test, transcript } from './fixtures';

test('titles are short and plain; a fork reads "Fork of"; rows are grouped by date; an unused session has no row', async ({
  page,
  server,
}) => {
  await openChat(page, server);
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const first = await newSession(page);
  await send(page, 'tool: Read {"file_path":"README.md"}');
  await expectAnswered(page, 1);
  const row = nav.locator(`[data-session-id="${first}"]`);
  await expect(row.locator('.session-title')).toHaveText('Read');
  await send(page, 'say: **second** message');
  await expectAnswered(page, 2);
  await expect(nav.getByRole('heading', { name: 'Today' })).toBeVisible();

  // a new session has a row while it is open, and none once you leave it unused
  const empty = await newSession(page);
  await row.click();
  await expect(row).toHaveAttribute('aria-current', 'page');
  await expect(nav.locator(`[data-session-id="${empty}"]`)).toHaveCount(0);

  // fork from the second message: named after the original, opened at its end
  await transcript(page).locator('.msg-user').nth(1).getByRole('button', { name: 'Fork from here' }).click();
  const current = nav.locator('[aria-current="page"]');
  await expect(current).not.toHaveAttribute('data-session-id', first);
  await expect(current.locator('.session-title')).toHaveText('Fork of Read');
  await expect(nav.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
});
