// What the server says and creates at start: the bind address and a #token= URL,
// warnings for risky settings, the sandbox decision, private data files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { startupWarnings } from '../src/config/startup-warnings.js';
import { decideSandbox } from '../src/core/cli/sandbox-probe.js';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { tempDir, testEnv } from './helpers/harness.js';
import { freePort, startServerProcess } from './helpers/server-process.js';

test('a real start: bind address and #token= URL, warnings, sandbox line, data files private', async () => {
  const model = new ScriptedModel();
  await model.start();
  const dir = tempDir();
  const dataDir = path.join(dir, 'fresh', 'data');
  const env = { ...testEnv(dir, model.url, 'unused-key-0123456789'), DATABASE_URL: `sqlite:///${dataDir}/s.db`, LOG_LEVEL: 'INFO' };
  delete (env as Record<string, string | undefined>).CLAUDE_SDK_PATTERN_API_KEY;
  const port = await freePort();
  const server = await startServerProcess(env, port);
  try {
    const out = server.output();
    assert.match(out, new RegExp(`Listening on 127\\.0\\.0\\.1:${port}`));
    const url = out.match(/http:\/\/127\.0\.0\.1:\d+\/chat#token=(\S+)/);
    assert.ok(url, `the URL carries the key in the fragment:\n${out}`);
    assert.ok(!out.includes('?token='), 'never in the query');
    const key = url?.[1] ?? '';
    assert.equal((await fetch(`${server.url}/api/v1/sessions`, { headers: { 'x-api-key': key } })).status, 200, 'the printed key works');
    assert.match(out, /PERMISSION_MODE=bypassPermissions: every tool call runs without asking/);
    if (process.getuid?.() === 0) assert.match(out, /Running as root/);
    assert.match(out, /SANDBOX=auto: (on|off)/);
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    assert.equal(mode(dataDir), 0o700, 'data folder');
    assert.equal(mode(path.join(dir, 'fresh')), 0o700, 'folders created on the way');
    for (const f of fs.readdirSync(dataDir)) {
      const p = path.join(dataDir, f);
      assert.equal(mode(p) & 0o077, 0, `${f} is private (${mode(p).toString(8)})`);
    }
    assert.equal(mode(path.join(dataDir, 's.db')), 0o600);
  } finally {
    assert.equal(await server.stop(), 0);
    await model.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('start-up warnings: network bind without TLS in front, bypassPermissions, root', () => {
  const base = loadConfig({});
  assert.deepEqual(startupWarnings({ ...base, sandbox: 'on' }, 1000), []);
  const exposed = startupWarnings({ ...base, host: '0.0.0.0' }, 1000);
  assert.equal(exposed.length, 1);
  assert.match(exposed[0] ?? '', /HOST=0\.0\.0\.0 is reachable from the network over plain HTTP/);
  assert.deepEqual(startupWarnings({ ...base, host: '0.0.0.0', trustProxy: ['10.0.0.1'] }, 1000), [], 'a proxy in front');
  assert.deepEqual(startupWarnings({ ...base, host: '127.0.0.5' }, 1000), [], 'any loopback address');
  assert.match(startupWarnings({ ...base, permissionMode: 'bypassPermissions', sandbox: 'off' }, 1000).join(), /Bash runs unconfined/);
  assert.match(startupWarnings({ ...base, permissionMode: 'bypassPermissions', sandbox: 'on' }, 1000).join(), /Bash inside the sandbox/);
  assert.match(startupWarnings(base, 0).join(), /Running as root/);
});

test('SANDBOX: on refuses to start without a sandbox, auto says which and why, off is off', () => {
  const missing = () => 'bubblewrap (bwrap) is not installed';
  assert.throws(() => decideSandbox('on', missing), /SANDBOX=on but the sandbox cannot run: bubblewrap \(bwrap\) is not installed/);
  assert.deepEqual(
    decideSandbox('on', () => null),
    { enabled: true, reason: 'SANDBOX=on: Bash commands run in bubblewrap' },
  );
  const auto = decideSandbox('auto', missing);
  assert.equal(auto.enabled, false);
  assert.match(auto.reason, /^SANDBOX=auto: off, because bubblewrap \(bwrap\) is not installed/);
  assert.equal(decideSandbox('auto', () => null).enabled, true);
  assert.equal(decideSandbox('off', () => assert.fail('off never probes')).enabled, false);
});
