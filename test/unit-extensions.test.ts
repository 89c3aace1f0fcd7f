// The extension loader on its own: formats, masking, command rewriting.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { ExtensionLoader } from '../src/core/cli/extension-loader.js';
import { tempDir } from './helpers/harness.js';

function loader(files: Record<string, string>): ExtensionLoader {
  const dir = tempDir('csp-ext-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'p', rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'p', rel), text);
  }
  fs.mkdirSync(path.join(dir, 'p'), { recursive: true });
  return new ExtensionLoader(path.join(dir, 'p'), path.join(dir, 'gen'), pino({ level: 'silent' }));
}

test('remote MCP servers (http, sse) are accepted; URLs and headers are masked', () => {
  const l = loader({
    'mcp.json': JSON.stringify({
      mcpServers: {
        api: { type: 'http', url: 'https://user:pw@example.test/mcp?token=abc', headers: { Authorization: 'Bearer x' } },
        events: { type: 'sse', url: 'https://example.test/sse' },
      },
    }),
  });
  assert.equal(Object.keys(l.getMcpServers()).length, 2);
  const d = l.describe();
  assert.deepEqual(d.mcp_servers.api, {
    type: 'http',
    url: 'https://user:********@example.test/mcp?token=********',
    headers: { Authorization: '********' },
  });
  assert.equal(l.loadOptions().options.mcpServers?.api?.type, 'http');
});

test('no extensions: isolation options only, no plugin', () => {
  const o = loader({}).loadOptions();
  assert.deepEqual(o.options, { settingSources: [] });
});

test('command rewriting: only existing commands, only at the start', () => {
  const l = loader({ 'commands/deploy.md': 'Deploy $ARGUMENTS', 'commands/bad name.md': 'x' });
  assert.equal(l.rewriteCommand('/deploy prod'), '/project:deploy prod');
  assert.equal(l.rewriteCommand('/deploy'), '/project:deploy');
  assert.equal(l.rewriteCommand('/unknown x'), '/unknown x');
  assert.equal(l.rewriteCommand('please /deploy'), 'please /deploy');
  assert.equal(l.rewriteCommand('/deployment x'), '/deployment x');
  assert.deepEqual(
    l.getCommands().map((c) => c.name),
    ['deploy'],
  );
});

test('the fingerprint changes when a skill is added or edited, and only then', () => {
  const l = loader({ 'skills/a/SKILL.md': '---\ndescription: A\n---\n' });
  const f1 = l.load().fingerprint;
  assert.equal(l.load().fingerprint, f1);
  fs.writeFileSync(path.join(l.projectDir, 'skills/a/SKILL.md'), '---\ndescription: A, longer\n---\n');
  const f2 = l.load().fingerprint;
  assert.notEqual(f2, f1);
  fs.mkdirSync(path.join(l.projectDir, 'skills/b'));
  fs.writeFileSync(path.join(l.projectDir, 'skills/b/SKILL.md'), '---\ndescription: B\n---\n');
  assert.notEqual(l.load().fingerprint, f2);
});
