// The server as a real process: graceful shutdown (turns finish, then every process ends), resume after restart, orphans of a crash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { commandLine, isAlive, procInfo, treePids, waitGone } from '../src/core/cli/process-tree.js';
import { jailUnavailable } from '../src/core/jail/jail-probe.js';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { tempDir, testEnv } from './helpers/harness.js';
import { freePort, startServerProcess } from './helpers/server-process.js';
import { TestClient } from './helpers/ws-client.js';

const KEY = 'lifecycle-key-0123456';
let model: ScriptedModel;
let env: Record<string, string>;

before(async () => {
  model = new ScriptedModel();
  await model.start();
  const dir = tempDir();
  // a nested database folder that does not exist yet: the server creates it
  // SANDBOX=off, AGENT_JAIL=off: the orphan tests need a Bash job that escapes the CLI; the sandbox
  // and the jail (their own pid namespaces) end such a job with the command or the jail (tested below).
  env = {
    ...testEnv(dir, model.url, KEY),
    DATABASE_URL: `sqlite:///${path.join(dir, 'nested', 'dir', 's.db')}`,
    LOG_LEVEL: 'WARNING',
    SANDBOX: 'off',
    AGENT_JAIL: 'off',
  };
});
after(async () => {
  await model.close();
});

async function pidOf(url: string, id: string): Promise<number> {
  const r = await fetch(`${url}/api/v1/sessions/${id}`, { headers: { 'X-API-Key': KEY } });
  return ((await r.json()) as { subprocess_pid: number }).subprocess_pid;
}

test('SIGTERM mid-turn: server_shutting_down, the turn finishes, every CLI is gone, exit 0; resume after restart keeps context', async () => {
  const port = await freePort();
  const s1 = await startServerProcess(env, port);
  const c = await TestClient.connect(s1.wsUrl, KEY);
  await c.next('session_list');
  const id = await c.createSession();
  const id2 = await c.createSession();
  model.enqueue(id, { kind: 'text', text: 'Noted: PINEAPPLE.' });
  await c.turn(id, 'Remember the word PINEAPPLE');
  const pids = [await pidOf(s1.url, id), await pidOf(s1.url, id2)];
  assert.ok(pids.every((p) => isAlive(p)));

  model.enqueue(id, { kind: 'text', text: 'z'.repeat(40), chunks: 20, delayMs: 50 });
  c.send({ type: 'user_message', session_id: id, text: 'a slow answer' });
  await c.next('stream_delta');
  const exit = s1.stop('SIGTERM');
  await c.next('server_shutting_down');
  await c.next('response_complete'); // in-flight turns may finish (up to 30 s)
  assert.equal(await exit, 0);
  for (const p of pids) assert.equal(isAlive(p), false, `pid ${p} survived`);
  await c.whenClosed();

  // A new server on the same database and config dir: the session is terminated but resumable,
  // and its next message carries the whole conversation to the model.
  const s2 = await startServerProcess(env, port);
  try {
    const list = (await (await fetch(`${s2.url}/api/v1/sessions`, { headers: { 'X-API-Key': KEY } })).json()) as {
      sessions: { session_id: string; status: string; is_resumable: boolean }[];
    };
    const row = list.sessions.find((x) => x.session_id === id);
    assert.equal(row?.status, 'terminated');
    assert.equal(row?.is_resumable, true);
    const c2 = await TestClient.connect(s2.wsUrl, KEY);
    await c2.next('session_list');
    model.enqueue(id, { kind: 'text', text: 'You said PINEAPPLE.' });
    const r = await c2.turn(id, 'What word did I ask you to remember?', 60_000);
    assert.equal(r.text, 'You said PINEAPPLE.');
    const req = model.requestsFor(id).at(-1);
    assert.ok(req?.userTexts.includes('Remember the word PINEAPPLE'), JSON.stringify(req?.userTexts));
    await c2.close();
  } finally {
    assert.equal(await s2.stop('SIGINT'), 0);
  }
});

/**
 * Has the agent of a new session start a background job in its own session (setsid): not in
 * the CLI's tree nor its process group, and it ignores stdin EOF. Only the instance marker in
 * its environment ties it to us. The tool call returns once the job has written its pid.
 */
async function startEscapedJob(c: TestClient): Promise<{ id: string; job: number }> {
  const pidFile = path.join(tempDir(), 'job.pid');
  const id = await c.createSession();
  model.enqueue(id, {
    kind: 'tool_use',
    name: 'Bash',
    input: {
      command: `setsid -f sh -c 'echo $$ > ${pidFile}; exec sleep 1007' < /dev/null > /dev/null 2>&1; until [ -s ${pidFile} ]; do sleep 0.05; done`,
      description: 'start a background job',
    },
  });
  await c.turn(id, 'start a background job', 60_000);
  const job = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.ok(isAlive(job), 'the job runs');
  return { id, job };
}

test('a crashed server (SIGKILL) leaves a real orphan; the next start ends it', async () => {
  const port = await freePort();
  const s1 = await startServerProcess(env, port);
  let orphan = 0;
  try {
    const c = await TestClient.connect(s1.wsUrl, KEY);
    await c.next('session_list');
    const started = await startEscapedJob(c);
    const id = started.id;
    orphan = started.job;
    const info = procInfo(orphan);
    const cli = await pidOf(s1.url, id);
    assert.ok(!treePids(cli).includes(orphan), 'the job has left the CLI tree');

    await s1.stop('SIGKILL');
    await c.whenClosed();
    assert.equal(isAlive(orphan, info?.startTime), true, 'the job outlived its crashed server');
    const s2 = await startServerProcess(env, port);
    try {
      assert.ok(await waitGone([orphan], 15_000), 'the restarted server ended the orphan');
      assert.ok(await waitGone([cli], 15_000), 'and the CLI of the crashed run');
    } finally {
      await s2.stop();
    }
  } finally {
    await s1.stop('SIGKILL');
    if (orphan && isAlive(orphan)) process.kill(orphan, 'SIGKILL');
  }
});

test('a graceful stop ends what its agents left running, even outside the CLI tree', async () => {
  const port = await freePort();
  const s = await startServerProcess(env, port);
  let job = 0;
  try {
    const c = await TestClient.connect(s.wsUrl, KEY);
    await c.next('session_list');
    job = (await startEscapedJob(c)).job;
    assert.equal(await s.stop('SIGTERM'), 0);
    assert.ok(await waitGone([job], 15_000), 'the stopped server ended the job');
  } finally {
    await s.stop('SIGKILL');
    if (job && isAlive(job)) process.kill(job, 'SIGKILL');
  }
});

test('in the jail, a job the agent detaches stays in the session tree, and a crashed server takes the whole jail with it', {
  skip: jailUnavailable() ?? false,
}, async () => {
  const port = await freePort();
  const s1 = await startServerProcess({ ...env, AGENT_JAIL: 'on' }, port);
  try {
    const c = await TestClient.connect(s1.wsUrl, KEY);
    await c.next('session_list');
    const id = await c.createSession();
    model.enqueue(id, {
      kind: 'tool_use',
      name: 'Bash',
      input: { command: "setsid -f sh -c 'exec sleep 1008' < /dev/null > /dev/null 2>&1; echo started", description: 'detach a job' },
    });
    await c.turn(id, 'start a background job', 60_000);
    const jailPid = await pidOf(s1.url, id);
    // The job as the host sees it (its pid inside the jail is another).
    const job = treePids(jailPid).find((p) => commandLine(p) === 'sleep 1008');
    assert.ok(job, `the detached job is still in the session's tree: ${treePids(jailPid).map(commandLine).join(' | ')}`);
    await s1.stop('SIGKILL');
    await c.whenClosed();
    assert.ok(await waitGone([job, jailPid], 15_000), 'the jail and the job ended with the server, before any restart');
  } finally {
    await s1.stop('SIGKILL');
  }
});

test('when no warm process can start at all, the server exits 1 with a clear message', () => {
  // a config dir that cannot exist: every CLI fails to initialise
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...env, CLAUDE_CONFIG_DIR: '/dev/null/cfg', PREWARM_POOL_SIZE: '1', PREWARM_TIMEOUT_SECONDS: '3', PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Could not start any Claude Code process for the pre-warm pool \(PREWARM_POOL_SIZE=1\)/m);
});
