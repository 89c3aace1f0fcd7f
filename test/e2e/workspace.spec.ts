// The Files / Changes panel against the real server, CLI and a real git repository: the header
// names the folder, the branch and how many files changed; the tree opens folders lazily; the
// viewer highlights code and previews images; Changes lists +/− counts, shows a diff on a click
// and filters to the session's own files; everything by accessible names, by keyboard too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, expectAnswered, newSession, openChat, send, test } from './fixtures';
import { TestServer } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');
// UPDATE_SCREENSHOTS=1 refreshes the committed ones in docs/screenshots.
const OUT = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : path.join(ROOT, 'test-results/screenshots');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' });

let server: TestServer;
let project: string;
test.beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-e2e-ws-'));
  project = path.join(dir, 'project');
  fs.mkdirSync(path.join(project, 'src'), { recursive: true });
  fs.writeFileSync(path.join(project, 'README.md'), '# Demo project\n\nA small app.\n');
  fs.writeFileSync(path.join(project, 'src', 'app.ts'), "export function greet(name: string): string {\n  return 'Hello, ' + name;\n}\n");
  // A 1×1 PNG.
  fs.writeFileSync(
    path.join(project, 'dot.png'),
    Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
  );
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'add', '.');
  git(project, 'commit', '-q', '-m', 'first');
  server = await TestServer.start({ dir });
});
test.afterAll(async () => {
  await server?.stop();
  server?.remove();
});

test('the workspace panel: folder and branch in the header, files, viewer, changes with diffs', async ({ page }) => {
  await openChat(page, server);
  await newSession(page);
  const button = page.getByRole('button', { name: /^Files and changes:/ });
  await expect(button).toContainText('main');
  // The server may put its own files (mcp.json) into PROJECT_DIR: count from what is there now.
  await expect(button).toContainText(/\d+ changed/);
  const before = Number(/(\d+) changed/.exec((await button.textContent()) ?? '')?.[1]);
  await expect(button).toContainText('…/project');
  await expect(button).toHaveAttribute('title', `Working folder: ${fs.realpathSync(project)}`);

  const plan = path.join(project, 'notes', 'plan.md');
  await send(page, `tool: Write ${JSON.stringify({ file_path: plan, content: '# Plan\n\n1. Greet people\n2. Ship it\n' })}`);
  await expectAnswered(page, 1);
  await send(page, 'run: echo "More words." >> README.md');
  await expectAnswered(page, 2);
  await expect(button).toContainText(`${before + 2} changed`);

  await button.click();
  const panel = page.getByRole('complementary', { name: 'Workspace' });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('tab', { name: 'Files' })).toHaveAttribute('aria-selected', 'true');
  await expect(panel.getByRole('link', { name: 'Download folder' })).toHaveAttribute('href', /\/files\/archive\?path=$/);

  // Folders open lazily; a file opens in the viewer with highlighting and a Download link.
  const notes = panel.getByRole('button', { name: 'notes', exact: true });
  await expect(notes).toHaveAttribute('aria-expanded', 'false');
  await expect(panel.getByRole('button', { name: /^plan\.md/ })).toHaveCount(0);
  await notes.click();
  await expect(notes).toHaveAttribute('aria-expanded', 'true');
  await panel.getByRole('button', { name: /^plan\.md/ }).click();
  const viewer = panel.getByRole('region', { name: 'File notes/plan.md' });
  await expect(viewer.getByRole('region', { name: 'Contents of notes/plan.md' })).toContainText('Greet people');
  await expect(viewer.getByRole('link', { name: 'Download' })).toHaveAttribute('href', /files\/content\?path=notes%2Fplan\.md&download=1$/);
  await viewer.getByRole('button', { name: '← Files' }).click();

  // Keyboard: Enter opens a folder and a file.
  const src = panel.getByRole('button', { name: 'src', exact: true });
  await src.focus();
  await page.keyboard.press('Enter');
  await expect(src).toHaveAttribute('aria-expanded', 'true');
  await panel.getByRole('button', { name: /^app\.ts/ }).focus();
  await page.keyboard.press('Enter');
  const code = panel.getByRole('region', { name: 'Contents of src/app.ts' });
  await expect(code.locator('code.hljs .hljs-keyword').first()).toHaveText('export');
  await panel.getByRole('button', { name: '← Files' }).click();

  await panel.getByRole('button', { name: /^dot\.png/ }).click();
  await expect(panel.getByRole('img', { name: 'Preview of dot.png' })).toBeVisible();
  await panel.getByRole('button', { name: '← Files' }).click();

  // Changes: +/− counts, a click shows the diff the tool cards use, the session's own filter.
  await panel.getByRole('tab', { name: /^Changes/ }).click();
  const readme = panel.getByRole('button', { name: /^README\.md modified \+1 lines added −0 lines removed/ });
  const planChange = panel.getByRole('button', { name: /^notes\/plan\.md new \+4 lines added/ });
  await expect(readme).toBeVisible();
  await expect(planChange).toBeVisible();
  await readme.click();
  const diff = panel.getByRole('figure', { name: 'Changes to README.md' });
  await expect(diff).toContainText('More words.');
  await panel.getByRole('checkbox', { name: 'Changed by this session' }).check();
  await expect(planChange).toBeVisible();
  await expect(readme).toHaveCount(0);
  await panel.getByRole('checkbox', { name: 'Changed by this session' }).uncheck();
  await expect(diff).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'workspace-desktop.png') });

  // On a phone the panel is a sheet over the conversation.
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.getByRole('tab', { name: 'Files' }).click();
  await expect(panel.getByRole('button', { name: 'notes', exact: true })).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'workspace-phone.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  await panel.getByRole('button', { name: 'Close the workspace panel' }).click();
  await expect(panel).toHaveCount(0);
  await expect(button).toHaveAttribute('aria-expanded', 'false');
});
