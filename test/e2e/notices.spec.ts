// Permission prompts, every banner the server can produce for real, and
// reconnecting (after a dropped socket and after a server restart).
import { expect, expectAnswered, expectConnected, messageBox, newSession, openChat, send, test, transcript, WS_DOWN } from './fixtures';
import { TestServer } from './server';

test.describe('permission prompts', () => {
  test('allow, deny and always allow', async ({ page, permServer }) => {
    test.setTimeout(120_000);
    await openChat(page, permServer);
    await newSession(page);

    await send(page, 'run: touch a.txt && echo allowed-ok');
    const prompt = page.getByRole('region', { name: 'Allow Bash?' });
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText('touch a.txt && echo allowed-ok');
    await expect(prompt.getByRole('button', { name: 'Allow', exact: true })).toBeFocused();
    await prompt.getByRole('button', { name: 'Allow', exact: true }).click();
    const card = page.getByRole('article', { name: 'Tool call: Bash' });
    await expect(card.locator('.tool-pre')).toHaveText('allowed-ok');
    await expect(card.getByText('Succeeded')).toBeVisible();
    await expectAnswered(page, 1);
    await expect(transcript(page).getByRole('heading', { name: 'Bash: allowed' })).toBeVisible();

    await send(page, 'run: touch d.txt && echo denied-no');
    await expect(prompt).toBeVisible();
    await page.keyboard.press('Tab'); // from Allow to Deny, by keyboard
    await expect(prompt.getByRole('button', { name: 'Deny', exact: true })).toBeFocused();
    await page.keyboard.press('Enter');
    // a denial is the person's decision, not a failed tool
    await expect(card.nth(1).getByRole('status')).toHaveText('Denied');
    await expectAnswered(page, 2);
    await expect(transcript(page).getByRole('heading', { name: 'Bash: denied' })).toBeVisible();

    // Always allow is scoped, and the card says to what: here the CLI's own rule, this exact command.
    await send(page, 'run: touch b.txt');
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText('Always allow covers: The Bash command "touch b.txt", exactly');
    await prompt.getByRole('button', { name: 'Always allow', exact: true }).click();
    await expect(card.nth(2).getByText('Succeeded')).toBeVisible();
    await expectAnswered(page, 3);
    await send(page, 'run: touch b.txt');
    await expect(card.nth(3).getByText('Succeeded')).toBeVisible();
    await expectAnswered(page, 4);
    await expect(prompt).toHaveCount(0);
    // Outside that scope it asks again.
    await send(page, 'run: rm c.txt');
    await expect(prompt).toBeVisible();
    await prompt.getByRole('button', { name: 'Deny', exact: true }).click();
    await expectAnswered(page, 5);
    await expect(prompt).toHaveCount(0);
  });
});

test.describe('banners', () => {
  test('session_opened_elsewhere, with Use here', async ({ page, context, server }) => {
    await openChat(page, server);
    const id = await newSession(page);
    // A session is listed once it has a message (the other page lists it, not having it open).
    await send(page, 'say: first here');
    await expectAnswered(page, 1);
    const other = await context.newPage();
    await openChat(other, server);
    await other.locator(`[data-session-id="${id}"]`).click();
    await expect(other.locator(`[data-session-id="${id}"]`)).toHaveAttribute('aria-current', 'page');

    const banner = page.getByRole('status').filter({ hasText: 'Opened in another window' });
    await expect(banner).toBeVisible();
    await banner.getByRole('button', { name: 'Use here' }).click();
    await expect(banner).toBeHidden();
    await expect(other.getByRole('status').filter({ hasText: 'Opened in another window' })).toBeVisible();
    // Updates come here again.
    await send(page, 'say: back here');
    await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('back here');
    await other.close();
  });

  test('session_terminated from another page, with Resume', async ({ page, context, server }) => {
    await openChat(page, server);
    const id = await newSession(page);
    await send(page, 'say: still here');
    await expectAnswered(page, 1);

    const other = await context.newPage();
    await openChat(other, server);
    const row = other.locator('li', { has: other.locator(`[data-session-id="${id}"]`) });
    await row.getByRole('button', { name: /^End session/ }).click();
    await other.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await other.close();

    const banner = page.getByRole('alert').filter({ hasText: 'Session ended' });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('at your request');
    await expect(messageBox(page)).toBeEnabled();
    await banner.getByRole('link', { name: 'Resume' }).click();
    await expect(banner).toBeHidden();
    await expect(page.locator('.topbar .badge')).toHaveText(/Idle|Active/);
    await send(page, 'say: resumed');
    await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('resumed');
  });

  test('stream_error when the CLI dies mid-answer, with Retry', async ({ page, server }) => {
    test.setTimeout(120_000);
    await openChat(page, server);
    const id = await newSession(page);
    // Long enough (200 chunks, 10 s) that a loaded machine still kills the CLI mid-answer.
    await send(page, `slow: 200 ${'partial answer '.repeat(20)}`);
    await expect(transcript(page).locator('.msg-assistant')).toContainText('partial answer');
    const { body } = await server.api<{ subprocess_pid: number | null }>('GET', `/api/v1/sessions/${id}`);
    expect(body.subprocess_pid).toBeGreaterThan(0);
    process.kill(body.subprocess_pid as number, 'SIGKILL');

    const banner = page.getByRole('alert').filter({ hasText: 'The answer failed' });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('The agent process stopped unexpectedly. Your conversation is kept.');
    // said once: the conversation keeps a short line, not the same sentence again
    await expect(transcript(page).getByText('The agent process stopped unexpectedly')).toHaveCount(0);
    await expect(transcript(page).getByText('This answer did not finish.')).toBeVisible();
    await expect(messageBox(page)).toBeEnabled();
    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(banner).toBeHidden();
    await expectAnswered(page, 1, 60_000);
    await expect(transcript(page).locator('.msg-user')).toHaveCount(2);
  });
});

test.describe('reconnecting', () => {
  test.use({ allowConsoleErrors: WS_DOWN });

  test('a dropped socket reconnects by itself and the stream goes on without gaps', async ({ page, server }) => {
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });
    await openChat(page, server);
    await newSession(page);
    const words = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    await send(page, `slow: 80 ${words}`);
    const answer = transcript(page).locator('.msg-assistant');
    await expect(answer).toContainText('w10');
    await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)?.close());
    await expectConnected(page);
    await expect(answer).toHaveText(words);
    await expectAnswered(page, 1);
    expect(await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length)).toBe(2);
  });

  test('a session opened in another tab mid-answer shows the whole answer', async ({ page, context, server }) => {
    test.setTimeout(180_000);
    await openChat(page, server);
    const id = await newSession(page);
    const words = Array.from({ length: 120 }, (_, i) => `v${i}`).join(' ');
    // One character per chunk, 50 ms apart (about 30 s): the other tab opens while the answer
    // still streams, even on a loaded machine.
    await send(page, `slow: 1000 ${words}`);
    await expect(transcript(page).locator('.msg-assistant')).toContainText('v5');
    const other = await context.newPage();
    await openChat(other, server);
    await other.locator(`[data-session-id="${id}"]`).click();
    await expect(other.getByRole('button', { name: 'Stop' })).toBeVisible();
    await expect(transcript(other).locator('.msg-user .bubble')).toHaveText(`slow: 1000 ${words}`);
    await expect(transcript(other).locator('.msg-assistant')).toHaveText(words, { timeout: 120_000 });
    await expect(transcript(other).locator('.answer-meta')).toHaveCount(1);
    await other.close();
  });

  test('server_shutting_down, connection lost, then Resume after the restart', async ({ page }) => {
    test.setTimeout(90_000);
    const server = await TestServer.start({ permissionMode: 'bypassPermissions' });
    try {
      await openChat(page, server);
      const id = await newSession(page);
      await send(page, 'say: before the restart');
      await expectAnswered(page, 1);

      await server.stop();
      await expect(page.getByRole('status').filter({ hasText: 'Server shutting down' })).toBeVisible();
      const lost = page.getByRole('alert').filter({ hasText: 'Connection lost' });
      await expect(lost).toBeVisible();
      await expect(lost).toContainText(/next try in \d+ s|trying now/);
      // The box stays editable; what is typed waits there (Send is off until the connection is back).
      await messageBox(page).fill('typed while offline');
      await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();

      await server.restart();
      await expect(page.locator('.conn-pill')).toHaveText('Connected', { timeout: 30_000 });
      await expect(lost).toBeHidden();
      const row = page.locator('li', { has: page.locator(`[data-session-id="${id}"]`) });
      // Ended but resumable reads like any sleeping session; what was typed offline is still there, and
      // sending resumes it.
      await expect(row).toContainText('Sleeping');
      await expect(messageBox(page)).toHaveValue('typed while offline');
      await expect(transcript(page)).toContainText('before the restart');
      await send(page, 'say: after the restart');
      await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('after the restart');
      await expect(row).toContainText(/Idle|Active/);

      // A crash this time: no server_shutting_down; the new run's event ids carry on above the old ones.
      await server.crash();
      await expect(lost).toBeVisible();
      await server.restart();
      await expect(page.locator('.conn-pill')).toHaveText('Connected', { timeout: 30_000 });
      await expect(row).toContainText('Sleeping');
      await send(page, 'say: after the crash');
      await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('after the crash');
      await expect(transcript(page).locator('.msg-assistant')).toHaveCount(3);
    } finally {
      await server.stop();
      server.remove();
    }
  });
});
