// Phone-sized screens, keyboard-only use, and how fast and small the first load is.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, expectAnswered, expectConnected, messageBox, newSession, openChat, send, test, transcript } from './fixtures';

const DIST = path.resolve(import.meta.dirname, '../../dist/web');

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('usable at 390×844 with no horizontal scroll; the session list is a menu', async ({ page, server }) => {
    await openChat(page, server);
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    await expect(nav).toBeHidden();
    const menu = page.getByRole('button', { name: 'Open sessions' });
    await menu.click();
    await expect(nav).toBeVisible();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('Escape');
    await expect(nav).toBeHidden();
    await expect(menu).toBeFocused();

    await menu.click();
    await nav.getByRole('button', { name: 'New session', exact: true }).click();
    await expect(nav).toBeHidden();
    await expect(page.getByText('New conversation')).toBeVisible();
    await send(page, 'run: echo a-rather-long-output-line-that-should-wrap-and-never-push-the-page-sideways-0123456789');
    await expect(page.getByRole('article', { name: 'Tool call: Bash' }).getByText('Succeeded')).toBeVisible();
    await expectAnswered(page, 1);
    await send(page, `say: ${'averyveryverylongwordwithoutanyspaces'.repeat(6)} and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |`);
    await expectAnswered(page, 2);

    const overflow = await page.evaluate(() => {
      const wide: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > window.innerWidth + 1 && !el.closest('.sidebar, pre, table')) wide.push(el.className || el.tagName);
      }
      return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 5) };
    });
    expect(overflow.wide).toEqual([]);
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.inner);
    const sx = await transcript(page).evaluate((el) => {
      const s = el.parentElement as HTMLElement;
      return s.scrollWidth - s.clientWidth;
    });
    expect(sx).toBeLessThanOrEqual(0);
  });
});

test('works by keyboard alone', async ({ page, server }) => {
  await openChat(page, server);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to message' })).toBeFocused();
  // Tab reaches "New session"; Enter creates one and focus lands in the message box.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.getByRole('button', { name: 'New session', exact: true }).evaluate((el) => el === document.activeElement)) break;
  }
  await expect(page.getByRole('button', { name: 'New session', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(messageBox(page)).toBeFocused();
  // Typed while the session may still be starting: the text stays in the box once it is ready.
  await page.keyboard.type('say: typed without a mouse');
  await expect(page.getByRole('progressbar', { name: 'Starting session' })).toHaveCount(0);
  await expect(messageBox(page)).toHaveValue('say: typed without a mouse');
  await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  await page.keyboard.press('Enter');
  await expect(transcript(page).locator('.msg-assistant')).toHaveText('typed without a mouse');
  await expect(messageBox(page)).toBeFocused();
});

test('time from page load to a connected, usable chat', async ({ page, server }) => {
  await openChat(page, server); // warm the server's static files once
  await newSession(page);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank'); // from /chat, the #token= link alone would only change the fragment
    const t0 = Date.now();
    await page.goto(server.chatUrl);
    await expectConnected(page);
    await expect(messageBox(page)).toBeEnabled();
    samples.push(Date.now() - t0);
  }
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const ready = performance.getEntriesByName('csp:ready')[0];
    return {
      domContentLoaded: Math.round(n.domContentLoadedEventEnd),
      load: Math.round(n.loadEventEnd),
      connectedWithSessions: Math.round(ready?.startTime ?? -1),
    };
  });
  console.log(`goto → connected usable chat (as Playwright sees it): ${samples.join(', ')} ms; in-page timing ${JSON.stringify(nav)}`);
  test.info().annotations.push({ type: 'load-to-usable-ms', description: `${samples.join(',')} ${JSON.stringify(nav)}` });
  // Reported, not asserted: wall-clock limits fail on a loaded CI machine. The mark must exist.
  expect(nav.connectedWithSessions).toBeGreaterThan(0);
});

test('the first page load stays under 200 KB of gzipped JS', async ({ page, server }) => {
  const scripts: string[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await openChat(page, server);
  expect(scripts.length).toBeGreaterThan(0);
  let total = 0;
  for (const p of scripts) total += gzipSync(fs.readFileSync(path.join(DIST, p)), { level: 9 }).length;
  console.log(`first-load JS: ${scripts.join(', ')} = ${(total / 1024).toFixed(1)} KB gzipped`);
  expect(total).toBeLessThan(200 * 1024);
});
