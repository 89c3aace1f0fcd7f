// Issue 18 item 4: short titles, "Fork of <title>", date groups, no row for an unused session,
// and no Resume button on rows.
import { expect, expectAnswered, newSession, openChat, send, test, transcript } from './fixtures';

test('titles are short and plain; a fork reads "Fork of"; rows are grouped by date; an unused session has no row', async ({
  page,
  server,
}) => {
  await openChat(page, server);
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const first = await newSession(page);
  await send(page, 'tool: Read {"file_path":"README.md"}');
  await expectAnswered(page, 1);
  const row = nav.locator(`[data-session-id="${first}"]`);
  await expect(row.locator('.session-title')).toHaveText('Read');
  await send(page, 'say: **second** message');
  await expectAnswered(page, 2);
  await expect(nav.getByRole('heading', { name: 'Today' })).toBeVisible();

  // a new session has a row while it is open, and none once you leave it unused
  const empty = await newSession(page);
  await row.click();
  await expect(row).toHaveAttribute('aria-current', 'page');
  await expect(nav.locator(`[data-session-id="${empty}"]`)).toHaveCount(0);

  // fork from the second message: named after the original, opened at its end
  await transcript(page).locator('.msg-user').nth(1).getByRole('button', { name: 'Fork from here' }).click();
  const current = nav.locator('[aria-current="page"]');
  await expect(current).not.toHaveAttribute('data-session-id', first);
  await expect(current.locator('.session-title')).toHaveText('Fork of Read');
  await expect(nav.getByRole('button', { name: /^Resume/ })).toHaveCount(0);
});

test('a fork of a long conversation opens at its end, even when the original was scrolled up; so does a switch back', async ({
  page,
  server,
}) => {
  await openChat(page, server);
  const original = await newSession(page);
  // Enough messages that the conversation scrolls several screens.
  const para = Array.from({ length: 12 }, (_, i) => `line ${i + 1} of a long message`).join('\n');
  for (let i = 1; i <= 6; i++) {
    await send(page, `say: answer ${i}\n${para}`);
    await expectAnswered(page, i);
  }
  const scroller = page.locator('.transcript-scroll');
  const log = transcript(page);
  // The person scrolls up to the fifth message and forks there (the page stops following).
  const fifth = log.locator('.msg-user').nth(4);
  await scroller.hover();
  await page.mouse.wheel(0, -200);
  await fifth.scrollIntoViewIfNeeded();
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
  await fifth.getByRole('button', { name: 'Fork from here' }).click();
  const current = page.getByRole('navigation', { name: 'Sessions' }).locator('[aria-current="page"]');
  await expect(current.locator('.session-title')).toHaveText(/^Fork of /);
  await expect(log.locator('.msg-user')).toHaveCount(4);
  await expect(log.locator('.msg-assistant')).toHaveCount(4);
  // Opened at its end: the last answer is on screen and the scroller is at its bottom.
  await expect(log.locator('.msg-assistant').last()).toContainText('answer 4');
  await expect(log.locator('.msg-assistant').last()).toBeInViewport();
  await expect.poll(() => scroller.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop)).toBeLessThan(2);
  expect(await scroller.evaluate((el) => el.scrollHeight > el.clientHeight * 1.5)).toBe(true);
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);

  // Scrolled up in the fork, the person goes back to the original (already loaded): it opens at its end too.
  await scroller.hover();
  await page.mouse.wheel(0, -5000);
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Sessions' }).locator(`[data-session-id="${original}"]`).click();
  await expect(log.locator('.msg-user')).toHaveCount(6);
  await expect(log.locator('.msg-assistant').last()).toBeInViewport();
  await expect.poll(() => scroller.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop)).toBeLessThan(2);
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);
});

test('on a phone, where the row icons always show, no title runs under them', async ({ page, browser, server }) => {
  await openChat(page, server);
  for (const words of ['Explain how the pre-warm pool works', 'Add a readiness probe to the Dockerfile']) {
    await newSession(page);
    await send(page, `say: ${words}`);
    await expectAnswered(page, 1);
  }
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  try {
    await openChat(p, server);
    await p.getByRole('button', { name: 'Open sessions' }).click();
    const nav = p.getByRole('navigation', { name: 'Sessions' });
    await expect(nav.getByText('Explain how the pre-warm pool works')).toBeVisible();
    await expect(nav.getByText('Add a readiness probe to the Dockerfile')).toBeVisible();
    await expect(nav.locator('li.session-item:not(.current) .session-actions .icon-btn').first()).toBeVisible();
    // Each title's text box ends left of its row's icons.
    const overlaps = await nav.locator('li.session-item').evaluateAll((rows) =>
      rows.map((row) => {
        const title = row.querySelector('.session-title') as HTMLElement;
        const icons = row.querySelector('.session-icons') as HTMLElement;
        const textRight = title.getBoundingClientRect().right - Number.parseFloat(getComputedStyle(title).paddingRight);
        return textRight - icons.getBoundingClientRect().left;
      }),
    );
    expect(overlaps.length).toBeGreaterThanOrEqual(2);
    for (const o of overlaps) expect(o).toBeLessThanOrEqual(1);
  } finally {
    await phone.close();
  }
});
