// Logs: JSON lines carrying request_id and session_id when piped; pino-pretty on a terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { tempDir, testEnv } from './helpers/harness.js';
import { freePort, startServerProcess } from './helpers/server-process.js';

const ROOT = path.resolve(import.meta.dirname, '..');
let model: ScriptedModel;
let dir: string;
before(async () => {
  model = new ScriptedModel();
  await model.start();
  dir = tempDir('csp-logs-');
});
after(async () => {
  await model.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('logs', () => {
  test('piped: JSON lines; a request logs its request_id (the caller’s X-Request-Id), a session its session_id', async () => {
    const key = 'logs-test-key-0123456789';
    const port = await freePort();
    const s = await startServerProcess({ ...testEnv(path.join(dir, 'a'), model.url, key), LOG_LEVEL: 'INFO' }, port);
    try {
      const r = await fetch(`${s.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'X-API-Key': key, 'X-Request-Id': 'trace-42', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('x-request-id'), 'trace-42');
      const id = ((await r.json()) as { session_id: string }).session_id;
      // A made-up id that is not a plain token is replaced, never logged as given.
      const odd = await fetch(`${s.url}/api/v1/health/live`, { headers: { 'X-Request-Id': 'a b "c" {}' } });
      assert.match(odd.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      await fetch(`${s.url}/api/v1/sessions/${id}`, { method: 'DELETE', headers: { 'X-API-Key': key } });
      const lines = s
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(
        logs.some((l) => l.request_id === 'trace-42' && l.msg === 'incoming request'),
        s.output(),
      );
      assert.ok(
        logs.some((l) => l.session_id === id && l.msg === 'session created'),
        s.output(),
      );
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('on a terminal: readable lines (pino-pretty), not JSON', async () => {
    const port = await freePort();
    const env = {
      ...testEnv(path.join(dir, 'b'), model.url, 'logs-test-key-0123456789'),
      LOG_LEVEL: 'INFO',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    // script(1) gives the server a pseudo-terminal as stdout.
    const cmd = `exec ${process.execPath} --import tsx ${path.join(ROOT, 'src/main.ts')}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no pretty log line: ${out}`)), 60_000);
        child.stdout.on('data', () => {
          if (/INFO.*Server listening/.test(out)) {
            clearTimeout(t);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`exited: ${out}`)));
      });
      assert.doesNotMatch(out, /^\{"level"/m);
    } finally {
      // The server is script's child: SIGTERM it directly for a graceful stop.
      const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const k of kids) process.kill(Number(k), 'SIGTERM');
      await exited;
    }
  });
});
