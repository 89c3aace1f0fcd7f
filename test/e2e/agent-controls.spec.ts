// The agent's controls in the browser: model picker and mode switch, the plan card (approve /
// keep planning), AskUserQuestion, the slash palette, fork and rewind files, by accessible names.
import fs from 'node:fs';
import path from 'node:path';
import { expect, expectAnswered, messageBox, newSession, openChat, send, test, transcript } from './fixtures';

test('model picker, mode switch and the slash palette', async ({ page, permServer }) => {
  await openChat(page, permServer);
  await newSession(page);
  const model = page.getByRole('combobox', { name: 'Model', exact: true });
  await expect(model.locator('option', { hasText: 'Haiku' })).toHaveCount(1);
  await model.selectOption('haiku');
  await expect(model).toHaveValue('haiku');
  const mode = page.getByRole('combobox', { name: 'Permission mode' });
  await mode.selectOption('acceptEdits');
  await expect(mode).toHaveValue('acceptEdits');
  await send(page, 'say: picked');
  await expectAnswered(page, 1);

  const box = messageBox(page);
  await box.fill('/');
  const list = page.getByRole('listbox', { name: 'Commands' });
  await expect(list).toBeVisible();
  await box.fill('/ini');
  await expect(list.getByRole('option').first()).toContainText('/init');
  await box.press('Escape');
  await expect(list).toBeHidden();
  await box.fill('/in');
  await expect(list).toBeVisible();
  const options = list.getByRole('option');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await box.press('ArrowDown');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await box.press('ArrowUp');
  await box.fill('/ini');
  await box.press('Tab');
  await expect(box).toHaveValue('/init ');
  await expect(list).toBeHidden();
  await box.fill('/ini');
  await list
    .getByRole('option', { name: /\/init/ })
    .first()
    .click();
  await expect(box).toHaveValue('/init ');
  await box.fill('');
});

test('plan mode: the plan reads like a plan; keep planning, then approve; a question with its options', async ({ page, permServer }) => {
  await openChat(page, permServer);
  await newSession(page);
  await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('plan');
  await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('plan');

  await send(page, 'plan: ## Steps\n\n1. Read the **code**\n2. Change it');
  const card = page.getByRole('region', { name: "Claude's plan" });
  await expect(card.getByRole('heading', { name: 'Steps' })).toBeVisible();
  await expect(card.locator('strong')).toHaveText('code');
  await card.getByLabel('What should change? (optional, for Keep planning)').fill('Add tests');
  await card.getByRole('button', { name: 'Keep planning' }).click();
  await expectAnswered(page, 1);
  await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('plan');

  await send(page, 'plan: 1. Read\n2. Change\n3. Test');
  await page.getByRole('region', { name: "Claude's plan" }).getByRole('button', { name: 'Approve and run' }).click();
  await expectAnswered(page, 2);
  await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('default');

  const question = {
    questions: [
      {
        question: 'Which colour?',
        header: 'Colour',
        multiSelect: false,
        options: [
          { label: 'Blue', description: 'calm' },
          { label: 'Red', description: 'loud' },
        ],
      },
    ],
  };
  await send(page, `tool: AskUserQuestion ${JSON.stringify(question)}`);
  const ask = page.getByRole('region', { name: 'Claude asks' });
  const group = ask.getByRole('group', { name: /Which colour\?/ });
  await expect(group.getByRole('radio')).toHaveCount(3);
  await group.getByRole('radio', { name: /Other/ }).check();
  await ask.getByLabel('Your answer').fill('Green');
  await ask.getByRole('button', { name: 'Send answer' }).click();
  await expectAnswered(page, 3);
  await expect(transcript(page).locator('.msg-assistant').last()).toContainText('Green');
});

test('fork from a message keeps what came before; rewind files shows a preview, then restores', async ({ page, permServer }) => {
  const file = path.join(permServer.dir, 'project', 'e2e-notes.txt');
  fs.writeFileSync(file, 'original\n');
  await openChat(page, permServer);
  await newSession(page);
  await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('acceptEdits');
  await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('acceptEdits');
  await send(page, 'say: first message');
  await expectAnswered(page, 1);
  await send(page, `tool: Read ${JSON.stringify({ file_path: file })}`);
  await expectAnswered(page, 2);
  await send(page, `tool: Write ${JSON.stringify({ file_path: file, content: 'changed by the agent\n' })}`);
  await expectAnswered(page, 3);
  expect(fs.readFileSync(file, 'utf8')).toBe('changed by the agent\n');

  const log = transcript(page);
  const writeMsg = log.locator('.msg-user').nth(2);
  await writeMsg.getByRole('button', { name: 'Rewind files to here' }).click();
  const preview = writeMsg.getByRole('region', { name: 'Rewind preview' });
  await expect(preview).toContainText('e2e-notes.txt');
  expect(fs.readFileSync(file, 'utf8')).toBe('changed by the agent\n');
  await preview.getByRole('button', { name: 'Restore files' }).click();
  await expect(writeMsg.getByRole('status')).toContainText('Files restored: 1');
  expect(fs.readFileSync(file, 'utf8')).toBe('original\n');

  const nav = page.getByRole('navigation', { name: 'Sessions' });
  const before = await nav.locator('[data-session-id]').count();
  await log.locator('.msg-user').nth(1).getByRole('button', { name: 'Fork from here' }).click();
  await expect(nav.locator('[data-session-id]')).toHaveCount(before + 1);
  await expect(log.locator('.msg-user')).toHaveCount(1);
  await expect(log.locator('.msg-user')).toContainText('say: first message');
  await send(page, 'say: in the fork');
  await expect(log.locator('.msg-assistant').last()).toContainText('in the fork');
});
