// What is typed and not yet answered (issue 18 item 1): a message queued when the page reloads
// comes back to its box unsent; Retry after a reload sends the text and its files again (fetched
// from the server's copy); signing out forgets the drafts kept in this browser.
import { type RecordedRequest, ScriptedModel } from '../../src/demo/scripted-model';
import { expect, expectConnected, messageBox, newSession, openChat, send, test, transcript } from './fixtures';
import { TestServer } from './server';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';
const png = () => ({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });

/** Image blocks in everything the model was sent (the conversation so far included). */
function images(r: RecordedRequest): number {
  const messages = (r.body.messages ?? []) as { content: unknown }[];
  return messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string }[]) : [])).filter((b) => b.type === 'image')
    .length;
}

test('a message queued when the page reloads comes back to its box, unsent', async ({ page, server }) => {
  await openChat(page, server);
  const id = await newSession(page);
  await send(page, `slow: 400 ${'a long answer '.repeat(100)}`);
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await send(page, 'queued before the reload');
  await expect(page.getByRole('list', { name: 'Queued messages' })).toContainText('queued before the reload');
  // Settings and back is not a reload: the message stays queued, and the box stays empty.
  await page
    .getByRole('navigation', { name: 'Account' })
    .getByRole('button', { name: /^Signed in as/ })
    .click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Back to chat' }).click();
  await expect(page.getByRole('list', { name: 'Queued messages' })).toContainText('queued before the reload');
  await expect(messageBox(page)).toHaveValue('');
  await page.reload();
  await expectConnected(page);
  await expect(page.getByRole('navigation', { name: 'Sessions' }).locator('[aria-current="page"]')).toHaveAttribute('data-session-id', id);
  await expect(messageBox(page)).toHaveValue('queued before the reload');
  await expect(page.locator('#composer-hint')).toContainText('It was still queued when the page reloaded.');
  await expect(page.getByRole('list', { name: 'Queued messages' })).toHaveCount(0);
  // Not sent by itself when the answer ends: the person sends it.
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  await expect(transcript(page).locator('.msg-user')).toHaveCount(1);
  await messageBox(page).press('Enter');
  await expect(transcript(page).locator('.msg-assistant').last()).toContainText('queued before the reload');
  await expect(transcript(page).locator('.msg-user')).toHaveCount(2);
});

test('Retry after a reload sends the text and its files again', async ({ page }) => {
  test.setTimeout(180_000);
  const model = new ScriptedModel();
  await model.start();
  // The first try hangs until the page has reloaded, then fails (400: not retried by the CLI); the retry is answered.
  let phase: 'hang' | 'fail' | 'answer' = 'hang';
  model.responder = (r) => {
    if (!r.stream || !r.lastUserText.includes('look at the dot')) return undefined;
    if (phase === 'hang') return { kind: 'hang' };
    if (phase === 'fail') return { kind: 'error', status: 400 };
    return { kind: 'text', text: 'I see the dot again.' };
  };
  const server = await TestServer.start({
    permissionMode: 'bypassPermissions',
    env: { ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: 'scripted' },
  });
  try {
    await openChat(page, server);
    await newSession(page);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles(png());
    await send(page, 'look at the dot');
    const first = await model.waitForRequest((r) => r.stream && r.lastUserText.includes('look at the dot'), 90_000);
    expect(images(first)).toBe(1);
    await page.reload();
    await expectConnected(page);
    await expect(transcript(page).locator('.msg-user')).toHaveCount(1);
    phase = 'fail';
    model.releaseAll();
    const retry = page.getByRole('button', { name: 'Retry' });
    await expect(retry).toBeVisible({ timeout: 90_000 });
    phase = 'answer';
    const before = model.requests.length;
    await retry.click();
    // The retried message carries the file again: the model sees both tries' images.
    const again = await model.waitForRequest((r) => model.requests.indexOf(r) >= before && r.stream && images(r) > 0, 90_000);
    expect(images(again)).toBe(2);
    await expect(transcript(page).locator('.msg-user')).toHaveCount(2);
    await expect(transcript(page).locator('.msg-user').last().getByRole('img', { name: 'dot.png' })).toBeVisible();
    await expect(transcript(page).locator('.msg-assistant').last()).toContainText('I see the dot again.');
  } finally {
    await server.stop();
    server.remove();
    await model.close();
  }
});

test('signing out forgets the drafts kept in this browser', async ({ page, server }) => {
  await openChat(page, server);
  const id = await newSession(page);
  await send(page, 'say: hello');
  await expect(transcript(page).locator('.msg-assistant')).toContainText('hello');
  await messageBox(page).fill('a private draft');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('csp.drafts'))).toContain('a private draft');
  await page
    .getByRole('navigation', { name: 'Account' })
    .getByRole('button', { name: /^Signed in as/ })
    .click();
  await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('API key or personal token')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('csp.drafts'))).toBeNull();
  // Signed in again on this browser: the session is there, its draft is not.
  await openChat(page, server);
  await page.getByRole('navigation', { name: 'Sessions' }).locator(`[data-session-id="${id}"]`).click();
  await expect(page.getByRole('navigation', { name: 'Sessions' }).locator('[aria-current="page"]')).toHaveAttribute('data-session-id', id);
  await expect(transcript(page).locator('.msg-assistant')).toContainText('hello');
  await expect(messageBox(page)).toHaveValue('');
});
