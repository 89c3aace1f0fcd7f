// Transcripts reachable from every replica (issue 21 item 3), with the real CLI, the real jail and
// a real PostgreSQL: a session served by one server resumes on another whose config folder never
// held it, with its context; a mirror write that fails is counted in /metrics and repaired.
// The servers run on one PostgreSQL database (DATABASE_URL), each with its own CLAUDE_CONFIG_DIR.
// TRANSCRIPTS_TEST_NO_STORE=1 runs them on a shared SQLite file instead, without the store: the resume test must fail.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import type { TranscriptMirror } from '../src/core/transcripts/transcript-mirror.js';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { freshPgDatabase, pgSkipReason } from '../src/testing/pg-cluster.js';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';
import { waitFor } from './helpers/wait.js';

const skip = pgSkipReason();
const withoutStore = process.env.TRANSCRIPTS_TEST_NO_STORE === '1';

/** Resolves when the mirror has stored a batch of `sessionId` whose lines contain `text`. */
function mirrored(m: TranscriptMirror, sessionId: string, text: string, what: string) {
  return waitFor<[string, string]>(
    (l) => {
      const h = (k: { sessionId: string }, entries: unknown[]) => l([k.sessionId, JSON.stringify(entries)]);
      m.on('appended', h);
      return () => m.off('appended', h);
    },
    ([id, lines]) => id === sessionId && lines.includes(text),
    what,
    30_000,
  );
}

async function metric(h: Harness, name: string): Promise<number> {
  const text = (await h.api('GET', '/metrics')).body as string;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

describe('transcripts on PostgreSQL', { skip }, () => {
  let url: string;
  let sql: postgres.Sql;
  const model = new ScriptedModel();
  const shared = tempDir('csp-replicas-');
  const projectDir = path.join(shared, 'project');
  /**
   * A server with its own config folder; the database, project folder and model shared, as replicas share
   * them. Without the store (TRANSCRIPTS_TEST_NO_STORE=1) the servers share one SQLite file instead.
   */
  const replica = (name: string) =>
    startHarness(
      {
        DATABASE_URL: withoutStore ? `sqlite:///${path.join(shared, 'sessions.db')}` : url,
        PROJECT_DIR: projectDir,
        CLAUDE_CONFIG_DIR: path.join(shared, `config-${name}`),
      },
      { model, dir: tempDir(`csp-${name}-`) },
    );

  before(async () => {
    await model.start();
    fs.mkdirSync(projectDir, { recursive: true });
    url = await freshPgDatabase();
    sql = postgres(url, { max: 1, onnotice: () => {} });
  });
  after(async () => {
    await sql?.end();
    await model.close();
  });

  test('a session resumes with its context on a server whose config folder never held it', async () => {
    const a = await replica('a');
    let id: string;
    let forkId: string;
    try {
      const c = await a.client();
      id = await c.createSession();
      model.enqueue(id, { kind: 'text', text: 'Remembered: KIWI.' });
      const stored = withoutStore
        ? Promise.resolve()
        : mirrored(a.built.transcripts as TranscriptMirror, id, 'Remembered: KIWI.', 'turn 1 in the store');
      await c.turn(id, 'Remember KIWI');
      await stored;
      // A fork is written on this disk by the SDK's forkSession: it goes to the store at once.
      const f = await a.api('POST', `/api/v1/sessions/${id}/fork`);
      assert.equal(f.status, 201);
      forkId = f.body.session_id;
    } finally {
      await a.close();
    }
    if (!withoutStore) {
      const forkRows = await sql`SELECT count(*)::int AS n FROM transcript_entries WHERE session_id = ${forkId}`;
      assert.ok((forkRows[0]?.n ?? 0) > 0, 'the fork is in the store');
    }
    const b = await replica('b');
    try {
      assert.ok(!fs.existsSync(path.join(shared, 'config-b', 'projects')), 'config folder b never held a transcript');
      const c = await b.client();
      model.enqueue(id, { kind: 'text', text: 'KIWI' });
      const t0 = performance.now();
      const r = await c.turn(id, 'Which fruit?', 60_000);
      console.log(`# resume on another server from the store, message to response_complete: ${Math.round(performance.now() - t0)} ms`);
      assert.equal(r.text, 'KIWI');
      const req = model.requestsFor(id).at(-1);
      assert.ok(req?.userTexts.includes('Remember KIWI'), `turn 2 request lacks turn 1: ${JSON.stringify(req?.userTexts)}`);
      assert.match(JSON.stringify(req?.body.messages), /Remembered: KIWI\./);
      // History and export on b read the conversation from the transcript the store brought.
      const md = await b.api('GET', `/api/v1/sessions/${id}/export?format=markdown`);
      assert.equal(md.status, 200);
      assert.match(md.body, /Remember KIWI[\s\S]*Remembered: KIWI\.[\s\S]*Which fruit\?[\s\S]*KIWI/);
      const forked = await b.api('GET', `/api/v1/sessions/${forkId}/export?format=json`);
      assert.equal(forked.status, 200);
      assert.match(JSON.stringify(forked.body), /Remembered: KIWI\./);
      const onB = fs.readdirSync(path.join(shared, 'config-b', 'projects'), { recursive: true }).map(String);
      assert.ok(
        onB.some((f) => f.endsWith(`${forkId}.jsonl`)),
        'the fork was read here from the store',
      );
    } finally {
      await b.close();
    }
    // Back on the first server, whose folder holds turn 1 only: what it reads comes up to the store first.
    const again = await replica('a');
    try {
      const md = await again.api('GET', `/api/v1/sessions/${id}/export?format=markdown`);
      assert.equal(md.status, 200);
      assert.match(md.body, /Which fruit\?/, 'turn 2, served elsewhere, is in the history here');
    } finally {
      await again.close();
    }
  });

  test('a failed mirror write is counted in /metrics and repaired from the local transcript', { skip: withoutStore }, async () => {
    const a = await replica('c');
    try {
      const mirror = a.built.transcripts as TranscriptMirror;
      const c = await a.client();
      const id = await c.createSession();
      model.enqueue(id, { kind: 'text', text: 'first answer' });
      const stored = mirrored(mirror, id, 'first answer', 'turn 1 in the store');
      await c.turn(id, 'first question');
      await stored;
      assert.equal(await metric(a, 'csp_transcript_mirror_failures_total'), 0);
      // The table refuses every write: the SDK's three attempts at the turn's batch fail and it drops it.
      await sql.unsafe(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT OR DELETE ON transcript_entries FOR EACH STATEMENT EXECUTE FUNCTION refuse()`);
      const failures = waitFor<unknown>(
        (l) => {
          let n = 0;
          const h = () => l(++n);
          mirror.on('failed', h);
          return () => mirror.off('failed', h);
        },
        (n) => (n as number) >= 3,
        'three failed appends',
        30_000,
      );
      model.enqueue(id, { kind: 'text', text: 'second answer' });
      await c.turn(id, 'second question');
      await failures;
      assert.ok((await metric(a, 'csp_transcript_mirror_failures_total{reason="error"}')) >= 3);
      assert.ok((await metric(a, 'csp_transcript_mirror_repairs_pending')) >= 1);
      const before = await sql`SELECT count(*)::int AS n FROM transcript_entries WHERE session_id = ${id} AND entry LIKE '%second answer%'`;
      assert.equal(before[0]?.n, 0, 'the dropped batch is not in the store');
      // The database takes writes again: the repair copies the local transcript over the stored one.
      const repaired = waitFor<unknown>(
        (l) => {
          mirror.on('repaired', l);
          return () => mirror.off('repaired', l);
        },
        () => true,
        'the repair',
        60_000,
      );
      await sql.unsafe('DROP TRIGGER refuse ON transcript_entries; DROP FUNCTION refuse()');
      await repaired;
      assert.equal(await metric(a, 'csp_transcript_mirror_repairs_total'), 1);
      assert.equal(await metric(a, 'csp_transcript_mirror_repairs_pending'), 0);
      const rows = await sql<
        { entry: string }[]
      >`SELECT entry FROM transcript_entries WHERE session_id = ${id} AND subpath = '' ORDER BY id`;
      const file = fs
        .readFileSync((await a.built.manager.transcriptFile(id)) as string, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { uuid?: string });
      assert.deepEqual(
        rows.map((r) => (JSON.parse(r.entry) as { uuid?: string }).uuid),
        file.map((e) => e.uuid),
        'the store holds the local transcript, line for line',
      );
    } finally {
      await a.close();
    }
  });
});
