// Connect, sessions and the conversation itself, against the shared server.
import { expect, expectAnswered, expectConnected, messageBox, newSession, openChat, send, test, transcript } from './fixtures';
import { TestServer } from './server';

test('connects with the API key typed in, and keeps it for the tab', async ({ page, server }) => {
  await page.goto(`${server.url}/chat`);
  await page.getByLabel('API key').fill(server.key);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expectConnected(page);
  await expect(page.getByRole('button', { name: 'New session', exact: true })).toBeEnabled();
  await page.reload();
  await expectConnected(page);
});

test.describe('a wrong key', () => {
  // The refused exchange is a 401, which Chrome logs.
  test.use({ allowConsoleErrors: /status of 401/ });

  test('says plainly when the key is wrong', async ({ page, server }) => {
    await page.goto(`${server.url}/chat`);
    await page.getByLabel('API key').fill('not-the-key');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByRole('alert')).toContainText('Invalid API key');
    await expect(page.getByLabel('API key')).toBeFocused();
  });
});

test('a legacy ?token= link still connects and leaves the address bar', async ({ page, server }) => {
  await page.goto(`${server.url}/chat?token=${encodeURIComponent(server.key)}`);
  await expectConnected(page);
  expect(page.url()).toBe(`${server.url}/chat`);
});

test('a new session streams a Markdown answer with cost and turns', async ({ page, context, server }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openChat(page, server);
  // The cold start shows its estimate as progress (briefly: watch for it).
  await page.evaluate(() => {
    const w = window as unknown as { __sawProgress?: string };
    // Text changes count too (the estimate can arrive after the bar), and a later snapshot without the
    // estimate does not overwrite one that had it.
    new MutationObserver(() => {
      const p = document.querySelector('[role="progressbar"][aria-label="Starting session"]');
      if (p && !w.__sawProgress?.includes(' — about ')) w.__sawProgress = p.parentElement?.textContent ?? '';
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await newSession(page);
  expect(await page.evaluate(() => (window as unknown as { __sawProgress?: string }).__sawProgress)).toMatch(
    /Starting a Claude process — about \d+ s/,
  );
  const box = messageBox(page);
  await box.fill('say: Hello **world**, here is code:');
  await box.press('Shift+Enter');
  await expect(box).toHaveValue('say: Hello **world**, here is code:\n');
  await box.fill('say: Hello **world**, here is code:\n```js\nconst answer = 42;\n```');
  await box.press('Enter');
  const log = transcript(page);
  await expect(log.locator('.msg-user')).toContainText('say: Hello');
  await expect(log.locator('.msg-assistant strong')).toHaveText('world');
  await expect(log.locator('.msg-assistant pre code .hljs-keyword')).toHaveText('const');
  await expectAnswered(page, 1);
  await expect(log.locator('.answer-meta')).toContainText(/\$\d+\.\d+/);
  await expect(log.locator('.answer-meta')).toContainText(/1 turn/);
  await expect(box).toBeFocused();
  await log.getByRole('button', { name: 'Copy' }).click();
  await expect(log.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const answer = 42;');
});

test.describe('sanitized Markdown', () => {
  // The sanitizer parses the handler in its inert document; the page's CSP reports that, harmlessly.
  test.use({ allowConsoleErrors: /Executing inline event handler violates/ });

  test('Markdown is sanitized', async ({ page, server }) => {
    await openChat(page, server);
    await newSession(page);
    await send(page, 'say: <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>safe text');
    await expect(transcript(page).locator('.msg-assistant')).toContainText('safe text');
    await expectAnswered(page, 1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(transcript(page).locator('.msg-assistant img[onerror]')).toHaveCount(0);
  });
});

test('a tool call shows as a card with its result and duration', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  await send(page, 'run: echo hello');
  const card = page.getByRole('article', { name: 'Tool call: Bash' });
  await expect(card).toBeVisible();
  await expect(card).toContainText('echo hello');
  await expect(card.getByText('Succeeded')).toBeVisible();
  await expect(card.locator('.tool-pre')).toHaveText('hello');
  await expect(card.locator('.tool-duration')).toHaveText(/\d+(\.\d+)? m?s/);
  await expectAnswered(page, 1);
  await expect(transcript(page).locator('.msg-assistant').last()).toContainText('hello');

  // A long result is collapsed behind a summary.
  await send(page, 'run: seq 1 40');
  const long = page.getByRole('article', { name: 'Tool call: Bash' }).nth(1);
  await expect(long.getByText('Succeeded')).toBeVisible();
  const more = long.getByText('Result (40 lines) — show');
  await expect(more).toBeVisible();
  await expect(long.locator('.tool-pre')).toBeHidden();
  await more.click();
  await expect(long.locator('.tool-pre')).toContainText('39');
  await expectAnswered(page, 2);
});

test('Stop interrupts a streaming answer', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  // 1,600 chunks 50 ms apart (80 s): still streaming when Stop is pressed, however loaded the machine.
  await send(page, `slow: 1600 ${'streaming words '.repeat(100)}`);
  const stop = page.getByRole('button', { name: 'Stop' });
  await expect(stop).toBeVisible();
  // The box stays editable and keeps the focus (Stop never takes it; Esc stops: see daily-use.spec.ts).
  await expect(messageBox(page)).toBeEnabled();
  await expect(messageBox(page)).toBeFocused();
  await expect(page.locator('#composer-hint')).toContainText('Esc stops');
  await expect(transcript(page).locator('.msg-assistant')).toContainText('streaming words');
  await stop.click();
  await expect(transcript(page).getByText('Stopped.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(stop).toHaveCount(0);
  // The session takes the next message. (The CLI prefixes it with "[Request interrupted by user]",
  // so the demo model does not see the say: directive and answers with its demo text, quoting it.)
  await send(page, 'say: after stop');
  await expectAnswered(page, 1);
  await expect(transcript(page).locator('.msg-assistant').last()).toContainText('after stop');
});

test('switching sessions shows each history, and a reload keeps the list', async ({ page, server }) => {
  await openChat(page, server);
  const first = await newSession(page);
  await send(page, 'say: answer one');
  await expectAnswered(page, 1);
  const second = await newSession(page);
  await send(page, 'say: answer two');
  await expectAnswered(page, 1);

  const nav = page.getByRole('navigation', { name: 'Sessions' });
  await nav.locator(`[data-session-id="${first}"]`).click();
  await expect(transcript(page)).toContainText('answer one');
  await expect(transcript(page)).not.toContainText('answer two');
  await expect(messageBox(page)).toBeFocused();

  // Keyboard: arrow keys move between sessions, Enter opens one.
  await nav.locator(`[data-session-id="${first}"]`).focus();
  const idxFirst = await nav
    .locator('[data-session-id]')
    .evaluateAll((els, id) => els.findIndex((e) => e.getAttribute('data-session-id') === id), first);
  const idxSecond = await nav
    .locator('[data-session-id]')
    .evaluateAll((els, id) => els.findIndex((e) => e.getAttribute('data-session-id') === id), second);
  await page.keyboard.press(idxSecond > idxFirst ? 'ArrowDown' : 'ArrowUp');
  await expect(nav.locator(`[data-session-id="${second}"]`)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(transcript(page)).toContainText('answer two');

  await page.reload();
  await expectConnected(page);
  await expect(nav.locator(`[data-session-id="${first}"]`)).toBeVisible();
  await expect(nav.locator(`[data-session-id="${second}"]`)).toBeVisible();
  await expect(nav.locator(`[data-session-id="${second}"]`)).toHaveAttribute('aria-current', 'page');
  await expect(transcript(page)).toContainText('answer two');
  await expect(nav.locator(`[data-session-id="${first}"]`)).toContainText('2 messages');
});

test('ending a session asks first, then offers Resume; ?resume= reopens it', async ({ page, server }) => {
  await openChat(page, server);
  const id = await newSession(page);
  await send(page, 'say: remember me');
  await expectAnswered(page, 1);
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const row = nav.locator('li', { has: page.locator(`[data-session-id="${id}"]`) });

  await row.getByRole('button', { name: /^End session/ }).click();
  const dialog = page.getByRole('dialog', { name: 'End this session?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('Idle');

  await row.getByRole('button', { name: /^End session/ }).click();
  await dialog.getByRole('button', { name: 'End session' }).click();
  await expect(row).toContainText('Sleeping');
  const banner = page.getByRole('alert').filter({ hasText: 'Session ended' });
  await expect(banner).toBeVisible();
  await expect(banner.getByRole('link', { name: 'Resume' })).toHaveAttribute('href', `/chat?resume=${id}`);
  // no Resume button on the row: it looks like any other, and opening it resumes it
  await expect(row.getByRole('button', { name: /^Resume/ })).toHaveCount(0);

  // The resume link, opened fresh, resumes the session with its history.
  await page.goto(`${server.url}/chat?resume=${id}`);
  await expectConnected(page);
  expect(new URL(page.url()).search).toBe('');
  await expect(transcript(page)).toContainText('remember me');
  await expect(row).toContainText(/Idle|Active/);
  await send(page, 'say: resumed fine');
  await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('resumed fine');
});

test('typing with no session open starts one and sends', async ({ page, server }) => {
  await openChat(page, server);
  await expect(page.getByText('What shall we work on?')).toBeVisible();
  await send(page, 'say: hello from the empty page');
  await expect(transcript(page).locator('.msg-user .bubble')).toHaveText('say: hello from the empty page');
  await expect(transcript(page).locator('.msg-assistant')).toHaveText('hello from the empty page');
  await expect(page.getByRole('navigation', { name: 'Sessions' }).locator('[aria-current="page"]')).toContainText(
    'hello from the empty page',
  );
});

test('a dormant session (its process released to make room) shows as sleeping and answers its next message', async ({ page }) => {
  test.setTimeout(120_000);
  // One live process at most: starting a second session releases the first one's.
  const server = await TestServer.start({ permissionMode: 'bypassPermissions', env: { MAX_SESSIONS: '1', SESSION_EVICTION: 'idle' } });
  try {
    await openChat(page, server);
    const first = await newSession(page);
    await send(page, 'say: first answer');
    await expectAnswered(page, 1);
    await newSession(page);
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    const row = nav.locator('li', { has: page.locator(`[data-session-id="${first}"]`) });
    await expect(row).toContainText('Sleeping');
    await row.locator('[data-session-id]').click();
    await expect(transcript(page)).toContainText('first answer');
    await expect(messageBox(page)).toBeEnabled();
    await send(page, 'say: awake again');
    await expect(transcript(page).locator('.msg-assistant').last()).toHaveText('awake again', { timeout: 60_000 });
    await expect(row).not.toContainText('Sleeping');
  } finally {
    await server.stop();
    server.remove();
  }
});
