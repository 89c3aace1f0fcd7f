// Playwright fixtures: one shared server (bypassPermissions) and one with
// PERMISSION_MODE=default for permission prompts, both kept for the whole run;
// every page fails its test on a console error or an uncaught exception.
import { test as base, expect, type Page } from '@playwright/test';
import { TestServer } from './server';

interface TestFixtures {
  /** After each test, the shared servers end the sessions it left running (each holds a CLI process). */
  endSessions: undefined;
  /** Console errors matching this are expected in this test (e.g. a server that went away). */
  allowConsoleErrors: RegExp | null;
}

interface WorkerFixtures {
  server: TestServer;
  permServer: TestServer;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const s = await TestServer.start({ permissionMode: 'bypassPermissions' });
      await use(s);
      await s.stop();
      s.remove();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  permServer: [
    // biome-ignore lint/correctness/noEmptyPattern: same
    async ({}, use) => {
      const s = await TestServer.start({ permissionMode: 'default' });
      await use(s);
      await s.stop();
      s.remove();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  allowConsoleErrors: [null, { option: true }],
  endSessions: [
    async ({ server, permServer }, use) => {
      await use(undefined);
      for (const s of [server, permServer]) await s.endAllSessions();
    },
    { auto: true },
  ],
  page: async ({ page, allowConsoleErrors }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !allowConsoleErrors?.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    await use(page);
    expect(errors, 'console errors').toEqual([]);
  },
});

export { expect };

/** Chrome logs a failed WebSocket as a console error: expected while a server is down. */
export const WS_DOWN = /WebSocket connection to .* failed|Failed to load resource/;

/** Opens the chat with the server's #token= link and waits until it is connected. */
export async function openChat(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.chatUrl);
  await expectConnected(page);
}

export async function expectConnected(page: Page): Promise<void> {
  await expect(page.locator('nav#sessions-nav')).toBeAttached();
  await expect(page.locator('.conn-pill')).toHaveText('Connected');
}

export function messageBox(page: Page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

/** Creates a session with the "New session" button and waits until it can take a message. */
export async function newSession(page: Page): Promise<string> {
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  // Waits for the open session to change, not for the list to grow: right after a (re)load the list
  // may still be arriving, so a count taken now would be of a list that is about to fill.
  const current = nav.locator('[aria-current="page"]');
  const before = (await current.count()) > 0 ? await current.getAttribute('data-session-id') : null;
  await page.getByRole('button', { name: 'New session', exact: true }).click();
  await expect(current).toHaveCount(1);
  if (before) await expect(current).not.toHaveAttribute('data-session-id', before);
  await expect(page.getByText('New conversation')).toBeVisible();
  await expect(messageBox(page)).toBeEnabled();
  const id = await current.getAttribute('data-session-id');
  if (!id) throw new Error('no current session');
  await expect(nav.locator(`[data-session-id="${id}"]`)).toHaveCount(1);
  return id;
}

/** Types a message and sends it with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const box = messageBox(page);
  await expect(box).toBeEnabled();
  await box.fill(text);
  await box.press('Enter');
}

/** Waits until the current answer is complete (its cost line shows). */
export async function expectAnswered(page: Page, count: number, timeout?: number): Promise<void> {
  await expect(page.locator('.answer-meta')).toHaveCount(count, { timeout });
  await expect(messageBox(page)).toBeEnabled();
}

export function transcript(page: Page) {
  return page.getByRole('log', { name: 'Conversation' });
}
