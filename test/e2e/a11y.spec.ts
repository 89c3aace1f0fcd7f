// Accessible and quick by keyboard (issue 18, item 6): axe-core finds no critical or serious
// violation on the chat (with a code block, tool output and a permission prompt on screen),
// Settings, Admin and the sign-in page; Esc stops an answer, Ctrl+K searches, Ctrl+Shift+O
// starts a session and `?` lists the shortcuts. Real server, real CLI, demo model.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, expectAnswered, messageBox, newSession, openChat, send, test, transcript } from './fixtures';

/** The critical and serious violations axe finds on the page as it is, each with the elements it names. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('axe: no critical or serious violation on the chat (code, tool output, a prompt), Settings, Admin and sign-in', async ({
  page,
  browser,
  permServer,
}) => {
  test.setTimeout(300_000);
  await openChat(page, permServer);
  await newSession(page);
  await send(page, 'run: touch axe-one.txt && echo tool-output-here');
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  await expectAnswered(page, 1);
  await expect(transcript(page).locator('pre code').first()).toBeVisible();
  await expect(transcript(page).getByText('tool-output-here').first()).toBeVisible();
  await send(page, 'run: touch axe-two.txt');
  await expect(page.getByRole('region', { name: 'Allow Bash?' })).toBeVisible();
  expect(await seriousViolations(page), 'chat').toEqual([]);
  await page.getByRole('button', { name: 'Deny', exact: true }).click();
  await expectAnswered(page, 2);

  await page.goto(`${permServer.url}/chat#settings`);
  await expect(page.getByRole('heading', { name: 'Settings' }).first()).toBeVisible();
  await expect(page.getByText('Loading', { exact: false })).toHaveCount(0);
  expect(await seriousViolations(page), 'settings').toEqual([]);

  await page.goto(`${permServer.url}/chat#admin`);
  await expect(page.getByRole('heading', { name: 'Admin' }).first()).toBeVisible();
  await expect(page.getByText('Loading', { exact: false })).toHaveCount(0);
  expect(await seriousViolations(page), 'admin').toEqual([]);

  const context = await browser.newContext();
  const guest = await context.newPage();
  try {
    await guest.goto(`${permServer.url}/chat`);
    await expect(guest.getByRole('button', { name: /Sign in|Connect/ }).first()).toBeVisible();
    expect(await seriousViolations(guest), 'sign-in').toEqual([]);
  } finally {
    await context.close();
  }
});

test('shortcuts: Esc stops, Ctrl+K searches, Ctrl+Shift+O starts a session, ? lists them', async ({ page, server }) => {
  await openChat(page, server);
  const first = await newSession(page);
  await send(page, `slow: 1600 ${'streaming words '.repeat(100)}`);
  await expect(transcript(page).locator('.msg-assistant')).toContainText('streaming words');
  // Esc from anywhere on the page (here: the conversation) stops the answer.
  await transcript(page).click();
  await page.keyboard.press('Escape');
  await expect(transcript(page).getByText('Stopped.')).toBeVisible();

  await page.keyboard.press('Control+k');
  await expect(
    page.getByRole('searchbox', { name: 'Search sessions' }).or(page.getByRole('textbox', { name: 'Search sessions' })),
  ).toBeFocused();

  await messageBox(page).focus();
  await page.keyboard.press('Control+Shift+O');
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  await expect(nav.locator('[aria-current="page"]')).not.toHaveAttribute('data-session-id', first);
  await expect(page.getByText('New conversation')).toBeVisible();

  // `?` in the message box is a character; outside text fields it opens the list.
  await messageBox(page).press('?');
  await expect(messageBox(page)).toHaveValue('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
  await messageBox(page).fill('');
  await transcript(page).click();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('rowheader', { name: 'Esc' })).toBeVisible();
  await expect(dialog.getByRole('cell', { name: 'Search sessions' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
