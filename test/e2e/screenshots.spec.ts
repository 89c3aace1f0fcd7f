// Takes the screenshots in docs/screenshots: a realistic conversation (with a
// real tool call run by the real CLI) on a scripted model that answers like
// Claude would. Refresh the committed ones with: UPDATE_SCREENSHOTS=1 npx playwright test screenshots
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { type RecordedRequest, type Reply, ScriptedModel } from '../../src/demo/scripted-model';
import { expect, expectAnswered, openChat, send, test } from './fixtures';
import { TestServer } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The suite writes to test-results; UPDATE_SCREENSHOTS=1 refreshes the committed ones in docs/screenshots.
const OUT = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : path.join(ROOT, 'test-results/screenshots');

const Q1 = 'Which files define the WebSocket protocol, and how big are they?';
const Q2 = 'What happens to an answer if my connection drops mid-stream?';

function lines(rel: string): number {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8').split('\n').length - 1;
}

function answers(): Record<string, Reply> {
  const m = lines('src/protocol/messages.ts');
  const e = lines('src/protocol/errors.ts');
  const w = lines('src/api/ws.ts');
  const h = lines('src/api/ws-hub.ts');
  return {
    [Q1]: {
      kind: 'tool_use',
      name: 'Bash',
      input: { command: 'wc -l src/protocol/*.ts src/api/ws*.ts', description: 'Count lines in the protocol files' },
    },
    [`${Q1}#after-tool`]: {
      kind: 'text',
      chunks: 12,
      delayMs: 5,
      text:
        `The protocol is defined **once**, in \`src/protocol/\`, and the WebSocket endpoint lives in \`src/api/\`:\n\n` +
        `| File | Lines | What it holds |\n|---|---:|---|\n` +
        `| \`src/protocol/messages.ts\` | ${m} | zod schemas for every client and server frame |\n` +
        `| \`src/protocol/errors.ts\` | ${e} | error codes and their exact messages |\n` +
        `| \`src/api/ws.ts\` | ${w} | auth, validation and routing of client messages |\n` +
        `| \`src/api/ws-hub.ts\` | ${h} | connections, per-connection \`seq\`, session owners |\n\n` +
        `The browser imports the same schemas, so a frame is checked the same way on both ends:\n\n` +
        '```ts\nconst parsed = ServerFrame.safeParse(JSON.parse(event.data));\nif (!parsed.success) return; // ignore frames that do not match\n```',
    },
    [Q2]: {
      kind: 'text',
      chunks: 16,
      delayMs: 5,
      text:
        'Nothing is lost. Every frame of a session carries an `event_id`, and the server keeps a buffer of recent events:\n\n' +
        '1. The page notices the drop and **reconnects by itself**, backing off exponentially.\n' +
        '2. It sends `switch_session` with `after` set to the last `event_id` it showed.\n' +
        '3. The server replays only the missing frames — or the full history if the buffer no longer reaches back.\n\n' +
        'The answer then continues exactly where it stopped, without gaps or duplicates.',
    },
    'Explain how the pre-warm pool works': {
      kind: 'text',
      text: 'The pool keeps a few CLI processes started ahead of time, so a new session starts instantly.',
    },
    'Add a readiness probe to the Dockerfile': { kind: 'text', text: 'Added a `HEALTHCHECK` that calls `/api/v1/health/ready`.' },
  };
}

function responder(table: Record<string, Reply>) {
  return (req: RecordedRequest): Reply | undefined => {
    if (!req.stream) return undefined;
    const asked = req.userTexts[req.userTexts.length - 1] ?? '';
    if (req.toolResults.length > 0) return table[`${asked}#after-tool`];
    return table[asked];
  };
}

async function staged(page: Page, colorScheme: 'light' | 'dark', server: TestServer): Promise<void> {
  await page.emulateMedia({ colorScheme });
  await openChat(page, server);
}

test.describe('screenshots', () => {
  test('desktop and phone, light and dark', async ({ browser }) => {
    test.setTimeout(120_000);
    const model = new ScriptedModel();
    await model.start();
    model.responder = responder(answers());
    // The real CLI runs the tool in a project folder holding copies of the files it is asked about.
    const server = await TestServer.start({
      permissionMode: 'bypassPermissions',
      env: { ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: 'scripted' },
    });
    for (const rel of ['src/protocol/messages.ts', 'src/protocol/errors.ts', 'src/api/ws.ts', 'src/api/ws-hub.ts']) {
      fs.mkdirSync(path.dirname(path.join(server.dir, 'project', rel)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, rel), path.join(server.dir, 'project', rel));
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 1080 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    try {
      await staged(page, 'light', server);
      for (const q of ['Add a readiness probe to the Dockerfile', 'Explain how the pre-warm pool works']) {
        await page.getByRole('button', { name: 'New session', exact: true }).click();
        await expect(page.getByText('New conversation')).toBeVisible();
        await send(page, q);
        await expectAnswered(page, 1);
      }
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      await expect(page.getByText('New conversation')).toBeVisible();
      await send(page, Q1);
      await expect(page.getByRole('article', { name: 'Tool call: Bash' }).getByText('Succeeded')).toBeVisible();
      await expectAnswered(page, 1);
      await send(page, Q2);
      await expectAnswered(page, 2);
      await page.mouse.move(0, 0);
      fs.mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'chat-desktop.png') });

      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: path.join(OUT, 'chat-desktop-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });

      // Search above the session list: titles and message text, with a snippet of the match.
      await page.getByRole('searchbox', { name: 'Search sessions' }).fill('pool');
      const results = page.getByRole('list', { name: 'Search results' });
      await expect(results.getByRole('button')).toHaveCount(1);
      await expect(results).toContainText('pre-warm pool');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(OUT, 'search-desktop.png') });
      await page.getByRole('searchbox', { name: 'Search sessions' }).fill('');

      // Phone: the same session, reopened in a phone-sized tab.
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const p2 = await phone.newPage();
      await staged(p2, 'light', server);
      await p2.getByRole('button', { name: 'Open sessions' }).click();
      await p2.getByRole('button', { name: new RegExp(`^${Q1.slice(0, 20)}`) }).click();
      await expect(p2.getByRole('article', { name: 'Tool call: Bash' })).toBeVisible();
      await expect(p2.locator('.msg-assistant')).toHaveCount(2);
      await p2.getByRole('article', { name: 'Tool call: Bash' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await p2.locator('.transcript-scroll').evaluate((el) => {
        el.scrollTop -= 90; // show the question above the card too
      });
      await p2.screenshot({ path: path.join(OUT, 'chat-phone.png') });
      await p2.getByRole('button', { name: 'Open sessions' }).click();
      await expect(p2.getByRole('navigation', { name: 'Sessions' })).toBeVisible();
      await p2.waitForFunction(() => getComputedStyle(document.querySelector('.sidebar') as Element).transform === 'none');
      await p2.screenshot({ path: path.join(OUT, 'sessions-phone.png') });
      await phone.close();

      // The connect screen.
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
      const p3 = await fresh.newPage();
      await p3.goto(`${server.url}/chat`);
      await expect(p3.getByLabel('API key')).toBeFocused();
      await p3.screenshot({ path: path.join(OUT, 'connect.png') });
      await fresh.close();
    } finally {
      await context.close();
      await server.stop();
      server.remove();
      await model.close();
    }
  });

  test('an attachment thumbnail and a diff card', async ({ browser }) => {
    test.setTimeout(120_000);
    const server = await TestServer.start({ permissionMode: 'bypassPermissions' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    try {
      await staged(page, 'light', server);
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      await expect(page.getByText('New conversation')).toBeVisible();
      // A small chart-like image drawn by the browser, attached with the file button.
      const png = await page.evaluate(async () => {
        const c = new OffscreenCanvas(240, 150);
        const g = c.getContext('2d') as OffscreenCanvasRenderingContext2D;
        g.fillStyle = '#f6e7df';
        g.fillRect(0, 0, 240, 150);
        ['#a94c25', '#285f9e', '#1d7a46', '#8a5a00'].forEach((col, i) => {
          g.fillStyle = col;
          g.fillRect(24 + i * 52, 130 - (i + 1) * 26, 36, (i + 1) * 26);
        });
        const b = await c.convertToBlob({ type: 'image/png' });
        return [...new Uint8Array(await b.arrayBuffer())];
      });
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Attach files' }).click();
      await (await chooser).setFiles([
        { name: 'latency-chart.png', mimeType: 'image/png', buffer: Buffer.from(png) },
        { name: 'bench.log', mimeType: 'text/plain', buffer: Buffer.from('p50 1.3 ms\np99 4.1 ms\n') },
      ]);
      await expect(page.getByRole('list', { name: 'Attached files' }).getByRole('listitem')).toHaveCount(2);
      fs.mkdirSync(OUT, { recursive: true });
      await page.locator('.composer').screenshot({ path: path.join(OUT, 'attachments-composer.png') });
      await send(page, 'say: The chart shows p99 latency rising with each release; the log agrees (p99 4.1 ms).');
      await expectAnswered(page, 1);
      await expect(page.getByRole('img', { name: 'latency-chart.png' })).toHaveAttribute('src', /^blob:/);
      await page
        .locator('.msg-user')
        .first()
        .screenshot({ path: path.join(OUT, 'attachments-thumbnail.png') });

      const file = path.join(server.dir, 'project', 'src', 'config.ts');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const before = 'export const config = {\n  port: 8000,\n  host: "127.0.0.1",\n  poolSize: 2,\n  maxSessions: 10,\n};\n';
      fs.writeFileSync(file, before);
      await send(
        page,
        `tool: Edit ${JSON.stringify({ file_path: file, old_string: '  poolSize: 2,\n  maxSessions: 10,', new_string: '  poolSize: 4,\n  maxSessions: 25,\n  idleTimeoutSeconds: 1800,' })}`,
      );
      await expectAnswered(page, 2);
      const card = page.getByRole('article', { name: 'Tool call: Edit' });
      await expect(card.getByRole('figure', { name: `Changes to ${file}` })).toBeVisible();
      await page.mouse.move(0, 0);
      await card.screenshot({ path: path.join(OUT, 'diff-card.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      await card.screenshot({ path: path.join(OUT, 'diff-card-dark.png') });
    } finally {
      await context.close();
      await server.stop();
      server.remove();
    }
  });
  test('the plan card and the slash palette', async ({ browser }) => {
    test.setTimeout(120_000);
    const server = await TestServer.start({ permissionMode: 'default' });
    fs.mkdirSync(path.join(server.dir, 'project', 'commands'), { recursive: true });
    fs.writeFileSync(
      path.join(server.dir, 'project', 'commands', 'release-notes.md'),
      '---\ndescription: Draft release notes from the commits since the last tag\n---\nDraft the release notes.',
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    try {
      await staged(page, 'light', server);
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      await expect(page.getByText('New conversation')).toBeVisible();
      await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('plan');
      await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('plan');
      fs.mkdirSync(OUT, { recursive: true });
      await send(
        page,
        'plan: ## Add idle timeouts to the pool\n\n**Context**: warm processes never expire, so an idle server keeps two CLIs forever.\n\n' +
          '1. Add `PREWARM_IDLE_SECONDS` to `src/config/config.ts` (default 900).\n' +
          '2. In `src/core/sessions/prewarm-pool.ts`, stop a warm process idle for longer, then refill on demand.\n' +
          '3. Test it in `test/pool.test.ts` with a short timeout.\n\n**Verification**: `npm test`, then watch `csp_pool_depth` drop.',
      );
      const card = page.getByRole('region', { name: "Claude's plan" });
      await expect(card.getByRole('heading', { name: 'Add idle timeouts to the pool' })).toBeVisible();
      await page.mouse.move(0, 0);
      await card.screenshot({ path: path.join(OUT, 'plan-card.png') });
      await card.getByRole('button', { name: 'Approve and run' }).click();
      await expectAnswered(page, 1);
      const box = page.getByRole('textbox', { name: 'Message', exact: true });
      await box.fill('/re');
      await expect(page.getByRole('listbox', { name: 'Commands' }).getByRole('option').first()).toContainText('/release-notes');
      await page.screenshot({ path: path.join(OUT, 'slash-palette.png') });
      await box.fill('');
    } finally {
      await context.close();
      await server.stop();
      server.remove();
    }
  });
  test('who waits for you, and a message queued behind an answer', async ({ browser }) => {
    test.setTimeout(180_000);
    const server = await TestServer.start({ permissionMode: 'default' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    try {
      await staged(page, 'light', server);
      fs.mkdirSync(OUT, { recursive: true });
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      await expect(page.getByText('New conversation')).toBeVisible();
      // The empty state of a new session names the folder Claude works in; the hint under the box.
      await expect(page.locator('.empty-folder')).toHaveText(path.join(server.dir, 'project'));
      await expect(page.locator('#composer-hint')).toContainText('Keyboard shortcuts');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(OUT, 'chat-empty.png') });
      await send(page, 'run: touch CHANGELOG.md');
      await expect(page.getByRole('button', { name: 'Allow', exact: true })).toBeVisible();
      await page.getByRole('button', { name: 'New session', exact: true }).click();
      await expect(page.getByText('New conversation')).toBeVisible();
      await send(page, `slow: 1600 ${'Streaming a long answer while you write the next message. '.repeat(30)}`);
      await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
      const box = page.getByRole('textbox', { name: 'Message', exact: true });
      await box.fill('Then add a test for the idle timeout');
      await box.press('Enter');
      await expect(page.getByRole('list', { name: 'Queued messages' })).toBeVisible();
      await expect(page).toHaveTitle('(1) Claude SDK Pattern');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(OUT, 'waiting-and-queue.png') });
      await page.getByRole('button', { name: 'Stop' }).click();
      await expectAnswered(page, 1);
    } finally {
      await context.close();
      await server.stop();
      server.remove();
    }
  });
});
