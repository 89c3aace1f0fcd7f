// The PostgreSQL transcript store and its mirror on a throwaway cluster: append order and
// idempotency, the fence, repair of a dropped batch from the local file, and a config folder
// brought up to the store before a resume.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import postgres from 'postgres';
import { transcriptFile, writeTranscriptFile } from '../src/core/transcripts/local-transcripts.js';
import { FencedOut, PgTranscriptStore } from '../src/core/transcripts/pg-transcript-store.js';
import { TranscriptMirror } from '../src/core/transcripts/transcript-mirror.js';
import { freshPgDatabase, pgBinDir, pgSkipReason } from '../src/testing/pg-cluster.js';
import { tempDir } from './helpers/harness.js';

const skip = pgSkipReason();
const log = pino({ level: 'silent' });
const sid = '11111111-2222-4333-8444-555555555555';
const key = { projectKey: '-srv-project', sessionId: sid };
const line = (i: number, extra: Record<string, unknown> = {}) => ({ type: 'user', uuid: `u-${i}`, n: i, ...extra });

describe('transcript store on PostgreSQL', { skip }, () => {
  let sql: postgres.Sql;
  let url: string;
  before(async () => {
    url = await freshPgDatabase();
    sql = postgres(url, { max: 4, onnotice: () => {} });
  });
  after(() => sql?.end());

  test('appends keep their order, a retried batch adds nothing, lines without uuid and with NUL are kept', async () => {
    const store = new PgTranscriptStore(sql);
    await Promise.all([store.init(), store.init(), new PgTranscriptStore(sql).init()]);
    await store.append(key, [line(1), { type: 'custom-title', title: 'a\u0000b' }, line(2)]);
    await store.append(key, [line(2), line(3)]);
    await store.append({ ...key, subpath: 'subagents/agent-x' }, [line(1, { sub: true })]);
    const t = await store.load(sid);
    assert.deepEqual(
      t.map((x) => [x.subpath, x.entries.map((e) => e.uuid ?? e.title)]),
      [
        ['', ['u-1', 'a\u0000b', 'u-2', 'u-3']],
        ['subagents/agent-x', ['u-1']],
      ],
    );
    assert.equal(t[0]?.projectKey, '-srv-project');
  });

  test('with a fence, only the lease holder at its epoch writes (checked in the same statement)', async () => {
    await sql`CREATE TABLE IF NOT EXISTS session_leases (session_id text PRIMARY KEY, owner text NOT NULL, epoch bigint NOT NULL, expires_at timestamptz NOT NULL)`;
    const id = '21111111-2222-4333-8444-555555555555';
    await sql`INSERT INTO session_leases VALUES (${id}, 'a', 2, now() + interval '1 minute')`;
    const k = { projectKey: 'p', sessionId: id };
    const as = (owner: string, epoch: number | null) => new PgTranscriptStore(sql, () => ({ owner, epoch }));
    await as('a', 2).append(k, [line(1)]);
    await assert.rejects(as('a', 1).append(k, [line(2)]), FencedOut);
    await assert.rejects(as('b', 2).append(k, [line(3)]), FencedOut);
    await assert.rejects(as('b', null).append(k, [line(4)]), FencedOut, 'no lease here while another replica holds a live one');
    await assert.rejects(as('b', 2).replace(k, []), FencedOut);
    assert.deepEqual(
      (await new PgTranscriptStore(sql).load(id))[0]?.entries.map((e) => e.uuid),
      ['u-1'],
    );
    // the lease expired: a replica holding none may write (a fork's first lines, the last ones of a session let go)
    await sql`UPDATE session_leases SET expires_at = now() - interval '1 second' WHERE session_id = ${id}`;
    await as('b', null).append(k, [line(5)]);
    await assert.rejects(as('a', 2).append(k, [line(6)]), FencedOut, 'the old holder, after expiry');
  });

  test('a failed append is counted and repaired from the local file; order follows the file', async () => {
    const dir = tempDir('csp-tr-');
    const counts = { error: 0, fenced: 0, repaired: 0 };
    const metrics = { failed: (r: 'error' | 'fenced') => void counts[r]++, repaired: () => void counts.repaired++ };
    const id = '31111111-2222-4333-8444-555555555555';
    const k = { projectKey: 'p', sessionId: id };
    const broken = new PgTranscriptStore(sql);
    const mirror = new TranscriptMirror(broken, { log, metrics, repairDelayMs: 60_000 });
    const sdkStore = mirror.storeFor(dir);
    // the CLI writes locally first, then the SDK mirrors: lines 1..3 on disk, batch [1] lands, batch [2] fails, batch [3] lands
    await writeTranscriptFile(dir, k, [line(1), line(2), line(3)]);
    await sdkStore.append(k, [line(1)]);
    const realAppend = broken.append.bind(broken);
    broken.append = async () => {
      throw new Error('connection cut');
    };
    await assert.rejects(sdkStore.append(k, [line(2)]), /connection cut/);
    broken.append = realAppend;
    await sdkStore.append(k, [line(3)]);
    assert.equal(counts.error, 1);
    assert.equal(mirror.pendingRepairs, 1);
    assert.deepEqual(
      (await broken.load(id))[0]?.entries.map((e) => e.uuid),
      ['u-1', 'u-3'],
    );
    await mirror.repairNow();
    assert.equal(mirror.pendingRepairs, 0);
    assert.equal(counts.repaired, 1);
    assert.deepEqual(
      (await broken.load(id))[0]?.entries.map((e) => e.uuid),
      ['u-1', 'u-2', 'u-3'],
    );
    assert.equal(await sdkStore.load(k), null, 'the SDK never materialises a resume itself');
    await mirror.deleteSession(id);
    assert.deepEqual(await broken.load(id), []);
    mirror.close();
  });

  test('an append the database never answers counts as failed after the bound, and later appends of the session are not held', async () => {
    const dir = tempDir('csp-tr-');
    let failures = 0;
    const id = '81111111-2222-4333-8444-555555555555';
    const k = { projectKey: 'p', sessionId: id };
    const store = new PgTranscriptStore(sql);
    const mirror = new TranscriptMirror(store, {
      log,
      metrics: { failed: () => void failures++, repaired: () => {} },
      repairDelayMs: 60_000,
      writeTimeoutMs: 200,
    });
    const real = store.append.bind(store);
    store.append = () => new Promise<void>(() => {}); // hangs: no answer, no error
    await assert.rejects(mirror.storeFor(dir).append(k, [line(1)]), /did not answer within 200 ms/);
    store.append = real;
    await mirror.storeFor(dir).append(k, [line(2)]);
    assert.equal(failures, 1);
    assert.equal(mirror.pendingRepairs, 1);
    mirror.close();
  });

  test('prepare: an empty config folder gets the stored transcripts; a folder behind is brought up; a local-only one goes to the store', async () => {
    const store = new PgTranscriptStore(sql);
    const mirror = new TranscriptMirror(store, { log });
    const id = '41111111-2222-4333-8444-555555555555';
    const k = { projectKey: 'p', sessionId: id };
    await store.append(k, [line(1), line(2)]);
    await store.append({ ...k, subpath: 'subagents/agent-y' }, [line(9)]);
    const empty = tempDir('csp-tr-');
    assert.equal(await mirror.prepare(id, empty), 'from_store');
    assert.equal(fs.readFileSync(transcriptFile(empty, k), 'utf8').trim().split('\n').length, 2);
    assert.ok(fs.existsSync(path.join(empty, 'projects', 'p', id, 'subagents', 'agent-y.jsonl')));
    assert.equal(await mirror.prepare(id, empty), 'in_step');
    await store.append(k, [line(3)]);
    assert.equal(await mirror.prepare(id, empty), 'from_store');
    assert.match(fs.readFileSync(transcriptFile(empty, k), 'utf8'), /u-3/);
    // a fork or a session from before the store: only on disk
    const id2 = '51111111-2222-4333-8444-555555555555';
    await writeTranscriptFile(empty, { projectKey: 'p', sessionId: id2 }, [line(1), line(2)]);
    assert.equal(await mirror.prepare(id2, empty), 'to_store');
    assert.equal((await store.load(id2))[0]?.entries.length, 2);
    assert.equal(await mirror.prepare('61111111-2222-4333-8444-555555555555', empty), 'none');
    // a project folder linked out of the config folder (the agent writes that folder) is not read
    const elsewhere = tempDir('csp-tr-');
    const id3 = 'a1111111-2222-4333-8444-555555555555';
    await writeTranscriptFile(elsewhere, { projectKey: 'q', sessionId: id3 }, [line(1)]);
    fs.symlinkSync(path.join(elsewhere, 'projects', 'q'), path.join(empty, 'projects', 'q'));
    assert.equal(await mirror.prepare(id3, empty), 'none');
  });

  test('figure: a long transcript written to an empty config folder from the store', async () => {
    const store = new PgTranscriptStore(sql);
    const mirror = new TranscriptMirror(store, { log });
    const id = '71111111-2222-4333-8444-555555555555';
    const k = { projectKey: 'p', sessionId: id };
    const text = 'x'.repeat(900);
    for (let b = 0; b < 40; b++)
      await store.append(
        k,
        Array.from({ length: 100 }, (_, i) => line(b * 100 + i, { text })),
      );
    const dir = tempDir('csp-tr-');
    const t0 = performance.now();
    assert.equal(await mirror.prepare(id, dir), 'from_store');
    const ms = performance.now() - t0;
    const bytes = fs.statSync(transcriptFile(dir, k)).size;
    console.log(
      `# prepare from the store: 4,000 lines (${(bytes / 1e6).toFixed(1)} MB) into an empty config folder in ${Math.round(ms)} ms`,
    );
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t1 = performance.now();
      assert.equal(await mirror.prepare(id, dir), 'in_step');
      runs.push(performance.now() - t1);
    }
    const median = runs.sort((a, b) => a - b)[2] ?? 0;
    console.log(`# prepare when the folder is in step (same 4,000 lines), median of 5: ${Math.round(median)} ms`);
  });

  test('pg_dump, then a restore into a fresh database: a config folder gets the same transcript from the copy', async () => {
    const id = '91111111-2222-4333-8444-555555555555';
    const k = { projectKey: 'p', sessionId: id };
    const entries = [line(1, { text: 'tab\there, quote " and NUL \u0000' }), { type: 'ai-title', title: 'no uuid' }, line(2)];
    await new PgTranscriptStore(sql).append(k, entries);
    const bin = pgBinDir() as string;
    const dump = execFileSync(path.join(bin, 'pg_dump'), ['--no-owner', '-d', url], { maxBuffer: 1 << 28 });
    const restored = await freshPgDatabase();
    execFileSync(path.join(bin, 'psql'), ['-q', '-v', 'ON_ERROR_STOP=1', '-d', restored], {
      input: dump,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const sql2 = postgres(restored, { max: 1, onnotice: () => {} });
    try {
      const dir = tempDir('csp-tr-');
      assert.equal(await new TranscriptMirror(new PgTranscriptStore(sql2), { log }).prepare(id, dir), 'from_store');
      const back = fs
        .readFileSync(transcriptFile(dir, k), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(back, entries);
    } finally {
      await sql2.end();
    }
  });
});
