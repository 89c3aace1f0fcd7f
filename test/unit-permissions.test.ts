// The scope of "Always allow", decided without a server: which later calls a granted rule covers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PermissionGate, type PermissionRequestEvent } from '../src/core/agent-policy/permissions.js';

const project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'csp-perm-')));
const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'csp-perm-out-')));
fs.symlinkSync(outside, path.join(project, 'link-out'));

/** Grants "Always allow" on the first call, then reports whether each later call is asked. */
async function grantThenAsk(first: [string, Record<string, unknown>], later: [string, Record<string, unknown>][]) {
  const asked: PermissionRequestEvent[] = [];
  let gate!: PermissionGate;
  gate = new PermissionGate({
    projectDir: project,
    timeoutMs: 60_000,
    emit: (ev) => {
      asked.push(ev);
      // answer the first question with allow_always, every later one with deny
      queueMicrotask(() => gate.answer(ev.request_id, asked.length === 1 ? 'allow_always' : 'deny'));
    },
  });
  const signal = new AbortController().signal;
  await gate.request(first[0], first[1], signal);
  const out: boolean[] = [];
  for (const [tool, input] of later) {
    const before = asked.length;
    await gate.request(tool, input, signal);
    out.push(asked.length > before);
  }
  return { scope: asked[0]?.always_allow_scope, asked: out };
}

test('Bash: same first word and a single command only', async () => {
  const r = await grantThenAsk(
    ['Bash', { command: 'git status' }],
    [
      ['Bash', { command: 'git log --oneline' }],
      ['Bash', { command: '  git   diff' }],
      ['Bash', { command: 'rm -rf x' }],
      ['Bash', { command: 'gitx status' }],
      ['Bash', { command: 'git status; rm -rf x' }],
      ['Bash', { command: 'git status | sh' }],
      ['Bash', { command: 'git $(rm -rf x)' }],
      ['Bash', { command: 'git `rm -rf x`' }],
      ['Bash', { command: 'git status\nrm -rf x' }],
      ['Bash', { command: 'git status > /etc/passwd' }],
    ],
  );
  assert.match(r.scope ?? '', /^Bash commands starting with "git"/);
  assert.deepEqual(r.asked, [false, false, true, true, true, true, true, true, true, true]);
});

test('Write: inside PROJECT_DIR only; .., symlinks out and the extension files are asked', async () => {
  const r = await grantThenAsk(
    ['Write', { file_path: path.join(project, 'a.txt') }],
    [
      ['Write', { file_path: path.join(project, 'deep/er/b.txt') }],
      ['Write', { file_path: 'relative.txt' }],
      ['Write', { file_path: path.join(project, '../x.txt') }],
      ['Write', { file_path: path.join(outside, 'x.txt') }],
      ['Write', { file_path: path.join(project, 'link-out/x.txt') }],
      ['Write', { file_path: path.join(project, 'mcp.json') }],
      ['Write', { file_path: path.join(project, 'skills/s/SKILL.md') }],
      ['Write', { file_path: path.join(project, 'commands/c.md') }],
      ['Edit', { file_path: path.join(project, 'a.txt') }],
    ],
  );
  assert.equal(r.scope, `Write to files inside ${project} (except mcp.json, skills/ and commands/)`);
  assert.deepEqual(r.asked, [false, false, true, true, true, true, true, true, true]);
});

test('a file outside the project: Always allow covers only that call', async () => {
  const p = path.join(outside, 'once.txt');
  const r = await grantThenAsk(['Write', { file_path: p }], [['Write', { file_path: p }]]);
  assert.equal(r.scope, `Only this call: ${p} is outside ${project}`);
  assert.deepEqual(r.asked, [true]);
});

test('other tools: by name', async () => {
  const r = await grantThenAsk(
    ['WebFetch', { url: 'https://a' }],
    [
      ['WebFetch', { url: 'https://b' }],
      ['WebSearch', { query: 'x' }],
    ],
  );
  assert.equal(r.scope, 'Every WebFetch call in this session');
  assert.deepEqual(r.asked, [false, true]);
});
