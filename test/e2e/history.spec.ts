// Across sessions in the browser: rename in place, search, export, and a long conversation
// that loads its earlier messages at the top. Its own server with small history pages.
import fs from 'node:fs';
import { expect, expectAnswered, newSession, openChat, send, test, transcript } from './fixtures';
import { TestServer } from './server';

let server: TestServer;
test.beforeAll(async () => {
  server = await TestServer.start({ permissionMode: 'bypassPermissions', env: { HISTORY_PAGE_SIZE: '2' } });
});
test.afterAll(async () => {
  await server.stop();
  server.remove();
});

test('rename, search, export and load earlier messages, by accessible names', async ({ page }) => {
  await openChat(page, server);
  await newSession(page);
  const questions = ['say: The heron nests by the river.', 'say: Second answer.', 'say: Third answer.', 'say: Fourth answer.'];
  for (const [i, q] of questions.entries()) {
    await send(page, q);
    await expectAnswered(page, i + 1);
  }
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const firstTitle = 'The heron nests by the river.';
  await expect(nav.getByRole('button', { name: new RegExp(`^${firstTitle}`) })).toBeVisible();

  // Rename: Escape keeps the old title, Enter saves the new one (the list and the header follow).
  await nav.getByRole('button', { name: `Rename ${firstTitle}` }).click();
  await nav.getByRole('textbox', { name: 'Session title' }).fill('Not this');
  await nav.getByRole('textbox', { name: 'Session title' }).press('Escape');
  await expect(nav.getByRole('button', { name: `Rename ${firstTitle}` })).toBeVisible();
  await nav.getByRole('button', { name: `Rename ${firstTitle}` }).click();
  await nav.getByRole('textbox', { name: 'Session title' }).fill('Heron notes');
  await nav.getByRole('textbox', { name: 'Session title' }).press('Enter');
  await expect(nav.getByRole('button', { name: 'Rename Heron notes' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Heron notes');

  // Search: message text finds it (with a snippet), a word that is nowhere finds nothing.
  const search = page.getByRole('searchbox', { name: 'Search sessions' });
  await search.fill('river');
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results.getByRole('button')).toHaveCount(1);
  await expect(results.getByRole('button')).toContainText('Heron notes');
  await expect(results.getByRole('button')).toContainText('heron nests by the river');
  await search.fill('zebra');
  await expect(page.getByRole('status').filter({ hasText: 'No sessions match.' })).toBeVisible();
  await search.press('Escape');
  await expect(nav.getByRole('button', { name: 'Rename Heron notes' })).toBeVisible();

  // Export: a Markdown download named after the title, fetched with the key (never in a URL).
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as Markdown' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^heron-notes-[0-9a-f]{8}\.md$/);
  const md = fs.readFileSync((await download.path()) as string, 'utf8');
  expect(md).toContain('# Heron notes');
  expect(md).toContain('say: Fourth answer.');
  expect(page.url()).not.toContain(server.key);

  // A reload opens the newest page only; earlier messages load at the top, each once.
  await page.reload();
  const log = transcript(page);
  await expect(log.locator('.msg-user')).toHaveCount(1);
  await expect(log.locator('.msg-user .bubble')).toHaveText('say: Fourth answer.');
  while (await page.getByRole('button', { name: 'Load earlier messages' }).isVisible()) {
    const before = await log.locator('.msg-user').count();
    await page.getByRole('button', { name: 'Load earlier messages' }).click();
    await expect(log.locator('.msg-user')).toHaveCount(before + 1);
  }
  await expect(log.locator('.msg-user .bubble')).toHaveText(questions);
  await expect(log.locator('.answer-meta')).toHaveCount(4);
});
