// The real server with DATABASE_URL=postgres://… on a throwaway cluster: a session turn is served, its rows
// are in PostgreSQL (no SQLite file appears), search finds it, and a restart on the same database lists it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { StartupError } from '../src/app.js';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import type { SessionSummary } from '../src/protocol/messages.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';

const skip = pgSkipReason();
let h: Harness | undefined;

after(async () => {
  await h?.close();
  if (!skip) await (await sharedPgCluster()).stop();
});

test('the server on PostgreSQL serves a turn, keeps its rows there, searches it, and finds it after a restart', { skip }, async () => {
  const url = await freshPgDatabase();
  const dir = tempDir();
  // With SQLite the file would be in this folder (testEnv); on PostgreSQL none may appear anywhere in it.
  h = await startHarness({ DATABASE_URL: url }, { dir });
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'The zeppelin deployment is scheduled.', chunks: 3 });
  const r = await c.turn(id, 'When does the airship rollout happen?');
  assert.equal(r.text, 'The zeppelin deployment is scheduled.');
  assert.equal(r.end.turn_count, 1);

  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ user_id: string; title: string | null }[]>`SELECT user_id, title FROM sessions WHERE session_id = ${id}`;
    assert.equal(row?.user_id, 'default', 'the session row is in PostgreSQL');
    const turns = await sql<{ outcome: string }[]>`SELECT outcome FROM turns WHERE session_id = ${id}`;
    assert.deepEqual(
      turns.map((t) => t.outcome),
      ['complete'],
    );
    const audit = await sql<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM audit_log WHERE session_id = ${id}`;
    assert.ok((audit[0]?.n ?? 0) > 0, 'the audit log is written there');
  } finally {
    await sql.end();
  }
  const sqliteFiles = fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.db'));
  assert.deepEqual(sqliteFiles, [], 'no SQLite file');

  const server = h;
  const search = async (q: string) => {
    const res = await server.api('GET', `/api/v1/sessions?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as { sessions: (SessionSummary & { snippet?: string })[] }).sessions;
  };
  // Search waits for the conversation copy's catch-up that the turn's end started.
  const found = await search('zeppel');
  assert.deepEqual(
    found.map((s) => s.session_id),
    [id],
  );
  assert.match(found[0]?.snippet ?? '', /zeppelin deployment/);
  assert.deepEqual(
    (await search('airship')).map((s) => s.session_id),
    [id],
    'the user text too',
  );
  assert.deepEqual(await search('"*)('), []);

  await h.close();
  h = await startHarness({ DATABASE_URL: url }, { dir });
  const list = await h.api('GET', '/api/v1/sessions');
  assert.equal(list.status, 200);
  const again = (list.body as { sessions: SessionSummary[] }).sessions.find((s) => s.session_id === id);
  assert.ok(again, 'a restart on the same database lists the session');
});

test('an unreachable PostgreSQL stops the start with one line naming DATABASE_URL, without the password', { skip }, async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  // Our own model, closed here: a harness that fails to start closes nothing of its own.
  const model = new ScriptedModel();
  await model.start();
  after(() => model.close());
  await assert.rejects(startHarness({ DATABASE_URL: `postgres://csp:secret-password@127.0.0.1:${port}/csp` }, { model }), (e: Error) => {
    assert.ok(e instanceof StartupError, String(e));
    assert.match(e.message, /^Could not open PostgreSQL \(DATABASE_URL\): .*ECONNREFUSED/);
    assert.doesNotMatch(e.message, /secret-password/);
    return true;
  });
});
