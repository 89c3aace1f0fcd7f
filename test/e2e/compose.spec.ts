// Composing and reading a chat: attachments (file button, paste, drop), their thumbnails live
// and after a reload, diffs on file-editing tool cards, context and cost, and the notification
// switch. Everything by accessible names, on the real server, real CLI and demo model.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, expectAnswered, messageBox, newSession, openChat, send, test, transcript } from './fixtures';

/** A 2×2 red PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';
const png = () => ({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });

/** Pastes a file into the message box the way a browser does (a ClipboardEvent with files). */
async function pasteFile(page: Page, name: string, type: string, content: string): Promise<void> {
  await messageBox(page).evaluate(
    (el, f) => {
      const dt = new DataTransfer();
      dt.items.add(new File([f.content], f.name, { type: f.type }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { name, type, content },
  );
}

async function dropFile(page: Page, name: string, type: string, content: string): Promise<void> {
  const dt = await page.evaluateHandle(
    (f) => {
      const d = new DataTransfer();
      d.items.add(new File([f.content], f.name, { type: f.type }));
      return d;
    },
    { name, type, content },
  );
  await messageBox(page).dispatchEvent('dragover', { dataTransfer: dt });
  await messageBox(page).dispatchEvent('drop', { dataTransfer: dt });
}

/** An image shown from a blob: URL that actually decoded. */
async function expectLoadedBlobImage(page: Page, name: string): Promise<void> {
  const img = transcript(page).getByRole('img', { name });
  await expect(img).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(2);
}

test('attach with the file button, paste and drop; chips remove; thumbnails live and after a reload', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(png());
  await pasteFile(page, 'notes.md', 'text/markdown', '# Notes\n');
  await dropFile(page, 'extra.txt', 'text/plain', 'drop me');
  const chips = page.getByRole('list', { name: 'Attached files' });
  await expect(chips.getByRole('listitem')).toHaveCount(3);
  await page.getByRole('button', { name: 'Remove extra.txt' }).click();
  await expect(chips.getByRole('listitem')).toHaveCount(2);

  await send(page, 'say: I see a red dot.');
  await expectAnswered(page, 1);
  await expect(chips).toHaveCount(0);
  const sent = transcript(page).getByRole('list', { name: 'Attachments' });
  await expect(sent.getByText('notes.md')).toBeVisible();
  await expectLoadedBlobImage(page, 'dot.png');

  // After a reload the history brings them back, the image fetched with the key into a blob: URL.
  await page.reload();
  await expect(page.locator('.conn-pill')).toHaveText('Connected');
  await expect(transcript(page).getByText('I see a red dot.', { exact: true })).toBeVisible();
  await expect(transcript(page).getByRole('list', { name: 'Attachments' }).getByText('notes.md')).toBeVisible();
  await expectLoadedBlobImage(page, 'dot.png');
});

test('an unsupported file is refused with the reason, and the draft and other files stay', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  await messageBox(page).fill('keep this draft');
  await pasteFile(page, 'notes.md', 'text/markdown', '# Notes\n');
  await pasteFile(page, 'logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await expect(page.getByRole('alert')).toHaveText(/^logo\.svg: image\/svg\+xml is not supported/);
  await expect(page.getByRole('list', { name: 'Attached files' }).getByRole('listitem')).toHaveCount(1);
  await expect(messageBox(page)).toHaveValue('keep this draft');
});

test('Write and Edit cards show a diff; a long one folds behind "Show all N lines"', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  const file = path.join(server.dir, 'project', 'hello.txt');
  const content = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n');
  await send(page, `tool: Write ${JSON.stringify({ file_path: file, content })}`);
  await expectAnswered(page, 1);
  const write = page.getByRole('figure', { name: `Changes to ${file}` });
  await expect(write.getByText('+60')).toBeVisible();
  await expect(write.locator('.diff-add')).toHaveCount(20);
  await write.getByRole('button', { name: 'Show all 60 lines' }).click();
  await expect(write.locator('.diff-add')).toHaveCount(60);

  await send(page, `tool: Edit ${JSON.stringify({ file_path: file, old_string: 'line 2\nline 3', new_string: 'line two\nline 3' })}`);
  await expectAnswered(page, 2);
  const edit = page.getByRole('article', { name: 'Tool call: Edit' }).getByRole('figure', { name: `Changes to ${file}` });
  await expect(edit.locator('.diff-del')).toHaveText(['−line 2']);
  await expect(edit.locator('.diff-add')).toHaveText(['+line two']);
});

test('context and cost: the answer footer and the session header', async ({ page, server }) => {
  await openChat(page, server);
  await newSession(page);
  await send(page, 'say: counting');
  await expectAnswered(page, 1);
  await expect(page.locator('.answer-meta')).toContainText(/\$[\d.]+\s*·\s*1 turn\s*·\s*[\d.]+k? of [\d.]+[kM] context \(\d+%\)/);
  const header = page.getByRole('banner');
  await expect(header.getByText(/^Context [\d.]+k? \/ [\d.]+[kM]$/)).toBeVisible();
  await expect(header.getByText(/^\$[\d.]+ total$/)).toBeVisible();
  await page.reload();
  await expect(page.locator('.conn-pill')).toHaveText('Connected');
  await expect(page.locator('.answer-meta')).toContainText(/context/);
  await expect(page.getByRole('banner').getByText(/^Context /)).toBeVisible();
});

test('notifications: off by default, on asks once and is remembered; a hidden tab is notified when an answer ends', async ({
  page,
  server,
}) => {
  // The browser's Notification API, recorded; visibility is switched by the test.
  await page.addInitScript(() => {
    const w = window as unknown as { __shown: { title: string; body: string }[]; __hidden: boolean; __asked: number };
    w.__shown = [];
    w.__hidden = false;
    w.__asked = 0;
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static async requestPermission() {
        w.__asked++;
        FakeNotification.permission = 'granted';
        return 'granted' as NotificationPermission;
      }
      onclick: (() => void) | null = null;
      constructor(title: string, opts: { body: string }) {
        w.__shown.push({ title, body: opts.body });
      }
      close() {}
    }
    if (localStorage.getItem('csp.notifications') === 'on') FakeNotification.permission = 'granted';
    Object.defineProperty(window, 'Notification', { value: FakeNotification });
    Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
  });
  await openChat(page, server);
  const toggle = page.getByRole('button', { name: 'Notifications' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => (window as unknown as { __asked: number }).__asked)).toBe(1);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Notifications' })).toHaveAttribute('aria-pressed', 'true');

  await newSession(page);
  await send(page, 'say: visible tab');
  await expectAnswered(page, 1);
  expect(await page.evaluate(() => (window as unknown as { __shown: unknown[] }).__shown)).toEqual([]);
  await page.evaluate(() => {
    (window as unknown as { __hidden: boolean }).__hidden = true;
  });
  await send(page, 'say: hidden tab');
  await expectAnswered(page, 2);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __shown: { body: string }[] }).__shown.map((n) => n.body)))
    .toEqual(['Claude finished answering.']);
});
