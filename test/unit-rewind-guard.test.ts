// The rewind guard's rule on real paths: inside the workspace passes; outside, through a symlink,
// the extension files, the database and the users' config folders refuse (rewind_refused).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkRewindScope, filesOutsideWorkspace, RewindRefused } from '../src/core/agent-policy/rewind-guard.js';
import { tempDir } from './helpers/harness.js';

test('rewind scope: real paths inside the workspace only; extension files, data and config folders never', () => {
  const dir = fs.realpathSync(tempDir());
  const project = path.join(dir, 'project');
  const ws = path.join(project, 'users', 'alice');
  fs.mkdirSync(ws, { recursive: true });
  fs.mkdirSync(path.join(dir, 'outside'));
  fs.symlinkSync(path.join(dir, 'outside'), path.join(ws, 'link'));
  const scope = { workspace: ws, projectDir: project, databasePath: path.join(dir, 'sessions.db'), claudeConfigDir: path.join(dir, 'cfg') };
  assert.deepEqual(filesOutsideWorkspace(['a.txt', path.join(ws, 'src/new/b.ts')], scope), []);
  const bad = [
    path.join(project, 'mcp.json'),
    path.join(ws, '../bob/x'),
    path.join(ws, 'link/evil.sh'),
    path.join(dir, 'claude-config/u-bob/projects/x.jsonl'),
    '/etc/passwd',
  ];
  assert.deepEqual(filesOutsideWorkspace(bad, scope), [
    path.join(project, 'mcp.json'),
    path.join(project, 'users/bob/x'),
    path.join(dir, 'outside/evil.sh'),
    path.join(dir, 'claude-config/u-bob/projects/x.jsonl'),
    '/etc/passwd',
  ]);
  // Shared mode: the workspace is PROJECT_DIR, and still not its extension files or the data inside it.
  const shared = { ...scope, workspace: project, databasePath: path.join(project, 'data', 'sessions.db') };
  assert.deepEqual(filesOutsideWorkspace(['notes.md', 'skills/x/SKILL.md', 'commands/c.md', 'data/sessions.db', 'users/alice/a'], shared), [
    path.join(project, 'skills/x/SKILL.md'),
    path.join(project, 'commands/c.md'),
    path.join(project, 'data/sessions.db'),
    path.join(project, 'users/alice/a'),
  ]);
  assert.throws(
    () => checkRewindScope([path.join(project, 'mcp.json')], scope),
    (e: Error) => e instanceof RewindRefused && (e as RewindRefused).code === 'rewind_refused' && /mcp\.json/.test(e.message),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
