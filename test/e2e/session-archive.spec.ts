// Issue 18 item 4: Archive (the row leaves the list; the Archived view restores it) and Delete
// (confirmed; gone for good, also after a reload), by accessible names.
import { expect, expectAnswered, newSession, openChat, send, test } from './fixtures';

test('archive hides a session and Archived restores it; delete asks first and removes it for good', async ({ page, server }) => {
  await openChat(page, server);
  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const alpha = await newSession(page);
  await send(page, 'say: alpha notes');
  await expectAnswered(page, 1);
  const beta = await newSession(page);
  await send(page, 'say: beta notes');
  await expectAnswered(page, 1);
  const rowOf = (id: string) => nav.locator('li.session-item', { has: page.locator(`[data-session-id="${id}"]`) });
  await expect(rowOf(alpha)).toHaveCount(1);

  // archive: the row goes, the Archived view lists it, Restore brings it back
  await rowOf(alpha).hover();
  await rowOf(alpha)
    .getByRole('button', { name: /^Archive / })
    .click();
  await expect(rowOf(alpha)).toHaveCount(0);
  await nav.getByRole('button', { name: 'Archived', exact: true }).click();
  const archived = page.getByRole('dialog', { name: 'Archived sessions' });
  await expect(archived.getByRole('listitem')).toHaveCount(1);
  await archived.getByRole('button', { name: /^Restore / }).click();
  await expect(rowOf(alpha)).toHaveCount(1);
  await expect(archived.getByText('No archived sessions.')).toBeVisible();
  await archived.getByRole('button', { name: 'Close' }).click();
  await expect(archived).toHaveCount(0);

  // delete: a confirm first (Cancel keeps it), then gone, also after a reload
  await rowOf(beta).hover();
  await rowOf(beta)
    .getByRole('button', { name: /^Delete / })
    .click();
  const confirm = page.getByRole('dialog', { name: 'Delete this session?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(rowOf(beta)).toHaveCount(1);
  await rowOf(beta).hover();
  await rowOf(beta)
    .getByRole('button', { name: /^Delete / })
    .click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(confirm).toHaveCount(0);
  await expect(rowOf(beta)).toHaveCount(0);
  await page.reload();
  await expect(page.locator('.conn-pill')).toHaveText('Connected');
  await expect(rowOf(alpha)).toHaveCount(1);
  await expect(rowOf(beta)).toHaveCount(0);
});

test('another tab drops an archived or deleted session at once, and shows a restored one again', async ({ page, server }) => {
  await openChat(page, server);
  const alpha = await newSession(page);
  await send(page, 'say: alpha notes');
  await expectAnswered(page, 1);
  const beta = await newSession(page);
  await send(page, 'say: beta notes');
  await expectAnswered(page, 1);
  const other = await page.context().newPage();
  try {
    await openChat(other, server);
    const rowIn = (p: typeof page, id: string) =>
      p.getByRole('navigation', { name: 'Sessions' }).locator('li.session-item', { has: p.locator(`[data-session-id="${id}"]`) });
    await expect(rowIn(other, alpha)).toHaveCount(1);
    await expect(rowIn(other, beta)).toHaveCount(1);

    // Archived here: gone from the other tab without a reload; restored here: back there.
    await rowIn(page, alpha).hover();
    await rowIn(page, alpha)
      .getByRole('button', { name: /^Archive / })
      .click();
    await expect(rowIn(page, alpha)).toHaveCount(0);
    await expect(rowIn(other, alpha)).toHaveCount(0);
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    await nav.getByRole('button', { name: 'Archived', exact: true }).click();
    const archived = page.getByRole('dialog', { name: 'Archived sessions' });
    await archived.getByRole('button', { name: /^Restore / }).click();
    await archived.getByRole('button', { name: 'Close' }).click();
    await expect(rowIn(other, alpha)).toHaveCount(1);

    // Deleted here: gone there too.
    await rowIn(page, beta).hover();
    await rowIn(page, beta)
      .getByRole('button', { name: /^Delete / })
      .click();
    await page.getByRole('dialog', { name: 'Delete this session?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(rowIn(page, beta)).toHaveCount(0);
    await expect(rowIn(other, beta)).toHaveCount(0);
    await expect(rowIn(other, alpha)).toHaveCount(1);
  } finally {
    await other.close();
  }
});
