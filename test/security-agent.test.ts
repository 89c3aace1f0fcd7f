// What the agent can reach, driven through real CLI processes by the scripted
// model: the project's extension files are out of reach of file tools and shell
// commands in every permission mode; no secret is on any command line; the CLI
// environment is an allowlist; sandboxed Bash cannot write outside PROJECT_DIR
// or read the database. The sandbox parts need bubblewrap (installed by .ci/run).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { treePids } from '../src/core/cli/process-tree.js';
import { sandboxUnavailable } from '../src/core/cli/sandbox-probe.js';
import type { ServerFrame } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

const NO_SANDBOX = sandboxUnavailable();
const MCP_SERVER = path.resolve(import.meta.dirname, 'fixtures/mcp-test-server.mjs');

function write(h: Harness, rel: string, text: string) {
  const f = path.join(h.projectDir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

/** Every file under the extension paths with its content. */
function snapshot(h: Harness): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(h.projectDir, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) for (const e of fs.readdirSync(abs)) walk(path.join(rel, e));
    else out[rel] = fs.readFileSync(abs, 'utf8');
  };
  for (const rel of ['mcp.json', 'skills', 'commands']) walk(rel);
  return out;
}

/** Answers every permission request with allow: the user says yes, the rules must still hold. */
function allowEverything(c: TestClient): void {
  c.ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as ServerFrame;
    if (f.type === 'permission_request') c.send({ type: 'permission_response', request_id: f.request_id, decision: 'allow' });
  });
}

/** One turn in which the model makes one tool call; returns its tool_result frame. */
async function toolTurn(h: Harness, c: TestClient, id: string, name: string, input: Record<string, unknown>) {
  h.model.enqueue(id, { kind: 'tool_use', name, input });
  const r = await c.turn(id, `call ${name}`, 90_000);
  const res = r.frames.find((f) => f.type === 'tool_result') as Extract<ServerFrame, { type: 'tool_result' }> | undefined;
  assert.ok(res, `${name}: a tool_result frame`);
  return res;
}

const cmdlines = (): { pid: string; cmd: string }[] =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        return [{ pid, cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') }];
      } catch {
        return [];
      }
    });

describe('the agent cannot change the project extensions', () => {
  for (const mode of ['acceptEdits', 'bypassPermissions'] as const) {
    test(`${mode}: Write, Edit and Bash leave mcp.json, skills/ and commands/ unchanged and start nothing`, async (t) => {
      const h = await startHarness({ PERMISSION_MODE: mode, SANDBOX: NO_SANDBOX ? 'off' : 'on' });
      try {
        write(h, 'mcp.json', '{"mcpServers":{}}');
        write(h, 'skills/keep/SKILL.md', '---\nname: keep\ndescription: A kept skill\n---\nbody\n');
        write(h, 'commands/keep.md', '---\ndescription: A kept command\n---\nDo it.\n');
        const before = snapshot(h);
        const marker = path.join(h.dir, 'pwned-by-mcp');
        const evil = JSON.stringify({ mcpServers: { evil: { command: 'sh', args: ['-c', `touch ${marker}; sleep 600`] } } });
        const c = await h.client();
        allowEverything(c);
        const id = await c.createSession();
        const mcpJson = path.join(h.projectDir, 'mcp.json');

        // Control: the same tools do work elsewhere in the project.
        const ok = await toolTurn(h, c, id, 'Write', { file_path: path.join(h.projectDir, 'notes.txt'), content: 'fine' });
        assert.equal(ok.status, 'success', JSON.stringify(ok.result));

        const attempts: [string, Record<string, unknown>][] = [
          ['Write', { file_path: mcpJson, content: evil }],
          ['Write', { file_path: path.join(h.projectDir, 'skills/evil/SKILL.md'), content: '---\nname: evil\ndescription: x\n---\n' }],
          ['Write', { file_path: path.join(h.projectDir, 'commands/evil.md'), content: 'evil' }],
          ['Write', { file_path: path.join(h.projectDir, 'commands/keep.md'), content: 'replaced' }],
          ['Read', { file_path: mcpJson }],
          ['Edit', { file_path: mcpJson, old_string: '{"mcpServers":{}}', new_string: evil }],
        ];
        for (const [name, input] of attempts) {
          const res = await toolTurn(h, c, id, name, input);
          if (name !== 'Read') assert.equal(res.status, 'error', `${name} ${String(input.file_path)} is refused`);
        }
        if (NO_SANDBOX) {
          t.diagnostic(`Bash part skipped: ${NO_SANDBOX}`);
        } else {
          for (const command of [
            `echo '${evil}' > mcp.json`,
            'mkdir -p skills/evil2 && echo x > skills/evil2/SKILL.md',
            'echo x > commands/evil2.md',
            'rm -rf skills/keep',
          ])
            await toolTurn(h, c, id, 'Bash', { command, description: 'attempt' });
        }
        assert.deepEqual(snapshot(h), before, 'the extension files are unchanged');
        assert.equal(fs.readFileSync(path.join(h.projectDir, 'notes.txt'), 'utf8'), 'fine');

        // A fresh CLI reads the extensions now: nothing of the attacker's starts.
        const second = await c.createSession();
        assert.ok(second);
        assert.equal(fs.existsSync(marker), false, 'no injected MCP server ran');
        assert.deepEqual(
          cmdlines().filter((p) => p.cmd.includes(marker)),
          [],
          'no process runs the injected command',
        );
        await c.close();
      } finally {
        await h.close();
      }
    });
  }
});

describe('secrets stay off command lines and out of the CLI environment', () => {
  test('no secret of mcp.json or the server is in any /proc/*/cmdline; Bash env shows no planted secret', async () => {
    const secrets = {
      mcpEnv: 'mcp-env-secret-6f1c2a',
      mcpHeader: 'mcp-header-secret-93be7d',
      model: 'sk-ant-model-secret-0123456789',
      planted: 'platform-planted-secret-5a5a5a',
    };
    const h = await startHarness({
      SANDBOX: 'off',
      ANTHROPIC_API_KEY: secrets.model,
      PLANTED_PLATFORM_SECRET: secrets.planted,
      DATABASE_PASSWORD: secrets.planted,
    });
    try {
      write(
        h,
        'mcp.json',
        JSON.stringify({
          mcpServers: {
            testdb: { command: process.execPath, args: [MCP_SERVER], env: { TESTDB_TOKEN: secrets.mcpEnv } },
            remote: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: `Bearer ${secrets.mcpHeader}` } },
          },
        }),
      );
      const c = await h.client();
      const id = await c.createSession();
      // The MCP tool works, so the servers (and their env) were delivered over stdin.
      h.model.enqueue(id, { kind: 'tool_use', name: 'mcp__testdb__count_users', input: { since: '2026-10-01' } });
      const mcp = await c.turn(id, 'count', 90_000);
      const mcpResult = mcp.frames.find((f) => f.type === 'tool_result') as Extract<ServerFrame, { type: 'tool_result' }>;
      assert.match(JSON.stringify(mcpResult.result), /"secret\\?":\\?"set/, 'the MCP server got its env');

      const all = cmdlines();
      const cli = all.filter((p) => p.cmd.includes('claude-agent-sdk'));
      assert.ok(cli.length > 0, 'the CLI process is visible');
      assert.ok(
        all.some((p) => p.cmd.includes(MCP_SERVER)),
        'the MCP server process is visible',
      );
      // Every process on the machine for this test's own secrets; the shared test key
      // (other test files on this machine use it too) in the processes this server started.
      const ours = new Set(treePids(process.pid).map(String));
      for (const p of all) {
        for (const [name, s] of Object.entries(secrets))
          assert.ok(!p.cmd.includes(s), `pid ${p.pid} has the ${name} secret on its command line: ${p.cmd.slice(0, 200)}`);
        if (ours.has(p.pid)) {
          assert.ok(!p.cmd.includes(h.key), `pid ${p.pid} has the platform key on its command line`);
          assert.ok(!p.cmd.includes('--mcp-config'), `pid ${p.pid} has --mcp-config`);
        }
      }
      assert.ok(
        cli.some((p) => ours.has(p.pid)),
        'our CLI is among the scanned',
      );

      const env = await toolTurn(h, c, id, 'Bash', { command: 'env', description: 'env' });
      const out = String(env.result.output ?? JSON.stringify(env.result));
      assert.match(out, /^PATH=/m, 'env ran');
      assert.ok(!out.includes(secrets.planted), 'no planted server secret');
      assert.ok(!out.includes('PLANTED_PLATFORM_SECRET') && !out.includes('DATABASE_PASSWORD'));
      assert.ok(!out.includes(h.key) && !out.includes('CLAUDE_SDK_PATTERN_API_KEY'), 'not the platform key');
      // Without the sandbox the model key is reachable by anything the agent runs (docs/security.md).
      assert.ok(out.includes(secrets.model), 'documented: the model key is visible with SANDBOX=off');
      await c.close();
    } finally {
      await h.close();
    }
  });
});

describe('the Bash sandbox', { skip: NO_SANDBOX ?? false }, () => {
  test('sandboxed Bash writes inside PROJECT_DIR only, cannot read the database, and does not see the model key', async () => {
    const modelKey = 'sk-ant-model-secret-abcdef0123';
    const h = await startHarness({ SANDBOX: 'on', ANTHROPIC_API_KEY: modelKey });
    try {
      const c = await h.client();
      const id = await c.createSession();
      const db = h.env.DATABASE_URL?.slice('sqlite:///'.length) ?? '';
      const outside = path.join(h.dir, 'outside.txt');
      const home = path.join(process.env.HOME ?? '/root', `csp-sandbox-probe-${process.pid}.txt`);
      const inside = path.join(h.projectDir, 'inside.txt');

      const w = await toolTurn(h, c, id, 'Bash', {
        command: `echo in > ${inside}; echo out > ${outside}; echo home > ${home}; true`,
        description: 'writes',
      });
      assert.equal(fs.readFileSync(inside, 'utf8'), 'in\n', `writing inside PROJECT_DIR works: ${JSON.stringify(w.result)}`);
      assert.equal(fs.existsSync(outside), false, 'no write next to the database');
      assert.equal(fs.existsSync(home), false, 'no write in HOME');

      const r = await toolTurn(h, c, id, 'Bash', { command: `head -c 16 ${db} | od -c | head -1; echo "rc=$?"`, description: 'read db' });
      const out = String(r.result.output ?? JSON.stringify(r.result));
      assert.ok(!out.includes('S   Q   L   i   t   e'), `the database header is not readable: ${out}`);

      const e = await toolTurn(h, c, id, 'Bash', { command: 'env', description: 'env' });
      const envOut = String(e.result.output ?? JSON.stringify(e.result));
      assert.match(envOut, /PATH=/);
      assert.ok(!envOut.includes(modelKey), 'the model key is not in a sandboxed command environment');
      await c.close();
    } finally {
      await h.close();
    }
  });
});
