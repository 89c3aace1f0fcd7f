// Words people understand and polish (issue 18 items 5 and 7), walked by accessible names:
// usage counts live processes and sleeping sessions apart; revoking the token this browser
// signed in with warns first.
import { expect, expectAnswered, expectConnected, messageBox, newSession, openChat, send, test, transcript } from './fixtures';

test('Settings: usage counts live processes and sleeping sessions apart; revoking the token you signed in with warns', async ({
  page,
  server,
}) => {
  const res = await fetch(`${server.url}/api/v1/me/tokens`, {
    method: 'POST',
    headers: { 'X-API-Key': server.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'this browser' }),
  });
  const { token } = (await res.json()) as { token: string };
  await page.goto(`${server.url}/chat#token=${encodeURIComponent(token)}`);
  await expectConnected(page);
  await page.goto(`${server.url}/chat#settings`);
  const usage = page.getByRole('table', { name: 'Your usage' });
  await expect(usage.getByRole('columnheader', { name: 'Live processes' })).toBeVisible();
  await expect(usage.getByRole('columnheader', { name: 'Sleeping sessions' })).toBeVisible();

  const tokens = page.getByRole('region', { name: 'Personal API tokens' });
  const row = tokens.getByRole('row', { name: /this browser/ });
  await expect(row).toContainText('signed in with this one');
  // Cancelled: the token stays (and so does this sign-in).
  let warned = '';
  page.once('dialog', (d) => {
    warned = d.message();
    void d.dismiss();
  });
  await tokens.getByRole('button', { name: 'Revoke this browser' }).click();
  expect(warned).toContain('signs you out of this browser');
  await expect(row).toHaveCount(1);
  expect((await fetch(`${server.url}/api/v1/me`, { headers: { 'X-API-Key': token } })).status).toBe(200);
});

/** A 2×2 red PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';

test('chat polish: actions on hover and focus, a thumbnail opens large, the title uses its width, the focus ring is not an error colour', async ({
  page,
  server,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openChat(page, server);
  await newSession(page);
  // The focus ring of the message box is the focus colour (blue), not the orange accent or red.
  await messageBox(page).focus();
  const ring = await page.locator('.composer-box').evaluate((el) => getComputedStyle(el).borderTopColor);
  const focus = await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.color = 'var(--focus)';
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  });
  expect(ring).toBe(focus);

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });
  const long = 'say: A title long enough to need the whole width of the header bar, and then some more words to be sure it is cut.';
  await send(page, long);
  await expectAnswered(page, 1);

  // Message actions: hidden until the message is hovered or one of its buttons has the focus.
  const msg = transcript(page).locator('.msg-user').first();
  const rewind = msg.getByRole('button', { name: 'Rewind files to here' });
  const buttons = msg.locator('.message-action-buttons');
  await page.mouse.move(0, 0);
  await expect(buttons).toHaveCSS('opacity', '0');
  await msg.hover();
  await expect(buttons).toHaveCSS('opacity', '1');
  await page.mouse.move(0, 0);
  await expect(buttons).toHaveCSS('opacity', '0');
  await rewind.focus();
  await expect(buttons).toHaveCSS('opacity', '1');

  // A thumbnail opens large in a dialog; Esc closes it.
  await transcript(page).getByRole('button', { name: 'Open dot.png large' }).click();
  const viewer = page.getByRole('dialog', { name: 'dot.png' });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('img', { name: 'dot.png' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();

  // The header title fills the room it has (the Files button present): cut only where the right side begins.
  await expect(page.getByRole('button', { name: /Files and changes/ })).toBeVisible();
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toContainText('A title long enough');
  const room = await page.evaluate(() => {
    const t = document.querySelector('.topbar-title') as HTMLElement;
    const right = document.querySelector('.topbar-right') as HTMLElement;
    const h = t.querySelector('h1') as HTMLElement;
    return {
      cut: h.scrollWidth > h.clientWidth,
      titleEnd: t.getBoundingClientRect().right,
      rightStart: right.getBoundingClientRect().left,
      hWidth: h.clientWidth,
    };
  });
  expect(room.cut).toBe(true);
  expect(room.rightStart - room.titleEnd).toBeLessThanOrEqual(12);
  expect(room.hWidth).toBeGreaterThan(240); // was about 100 at this width before the right side went to icons
});

test('Admin polish: users filtered by name, audit details wrap inside the card, tables scroll inside their card on a phone', async ({
  page,
  server,
}) => {
  for (const name of ['Polish Filter One', 'Another Person']) {
    await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'X-API-Key': server.key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, role: 'member' }),
    });
  }
  await page.setViewportSize({ width: 390, height: 800 });
  await openChat(page, server);
  await page.goto(`${server.url}/chat#admin`);
  const users = page.getByRole('table', { name: 'Users' });
  await expect(users.getByRole('row', { name: /Polish Filter One/ })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Filter users by name' }).fill('polish filter');
  await expect(users.getByRole('row', { name: /Polish Filter One/ })).toBeVisible();
  await expect(users.getByRole('row', { name: /Another Person/ })).toHaveCount(0);

  const audit = page.getByRole('table', { name: 'Audit entries' });
  await expect(audit.getByRole('row').nth(1)).toBeVisible();
  await expect(audit.locator('td.audit-detail').first()).toHaveCSS('white-space', 'pre-wrap');

  // On a phone the page does not scroll sideways: each table scrolls in its own focusable region.
  const region = page.getByRole('region', { name: 'Scroll the user list' });
  await expect(region).toHaveAttribute('tabindex', '0');
  const fit = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    view: window.innerWidth,
    cards: [...document.querySelectorAll('.panel-table-scroll')].map((el) => {
      const card = (el.closest('.panel') as HTMLElement).getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.right <= card.right + 1;
    }),
  }));
  expect(fit.page).toBeLessThanOrEqual(fit.view);
  expect(fit.cards.length).toBeGreaterThanOrEqual(3);
  expect(fit.cards.every(Boolean)).toBe(true);
  await region.focus();
  await page.keyboard.press('ArrowRight');
});

test('Settings: "Signed in on" lists this browser (marked) and another one, which "Sign out" ends', async ({ page, server, browser }) => {
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await openChat(otherPage, server);
  await openChat(page, server);
  await page.goto(`${server.url}/chat#settings`);
  const list = page.getByRole('table', { name: 'Your sign-ins' });
  const mine = list.getByRole('row').filter({ has: page.getByText('Current', { exact: true }) });
  await expect(mine).toHaveCount(1);
  await expect(mine.getByRole('button', { name: /Sign out/ })).toHaveCount(0);
  const rows = list.getByRole('row');
  const before = await rows.count();
  expect(before).toBeGreaterThanOrEqual(3); // header, this browser, the other
  await list
    .getByRole('button', { name: /^Sign out / })
    .first()
    .click();
  await expect(rows).toHaveCount(before - 1);
  await expect(mine).toHaveCount(1);
  await other.close();
});

test('on a phone the header title has room: Export, the account and the change count show as icons and keep their names', async ({
  page,
  browser,
  server,
}) => {
  await openChat(page, server);
  await newSession(page);
  await send(page, 'say: Which files define the WebSocket protocol?');
  await expectAnswered(page, 1);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  try {
    await openChat(p, server);
    await p.getByRole('button', { name: 'Open sessions' }).click();
    await p.getByRole('navigation', { name: 'Sessions' }).getByText('Which files define the WebSocket protocol?').click();
    const title = p.getByRole('heading', { level: 1, name: 'Which files define the WebSocket protocol?' });
    await expect(title).toBeVisible();
    expect((await title.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(100);
    await expect(p.getByRole('button', { name: 'Export', exact: true })).toBeVisible();
    await expect(p.getByRole('button', { name: 'Signed in as admin' })).toBeVisible();
    await expect(p.getByRole('button', { name: /^Files and changes: .* changed$/ })).toBeVisible();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  } finally {
    await phone.close();
  }
});
