// Across sessions: titles and rename, search, export, paging of the list and of a conversation.
// Real server, real CLI, scripted model, real SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HistoryMessage } from '../src/protocol/messages.js';
import { SessionSummary } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  // Small pages, so a few turns span several.
  h = await startHarness({ HISTORY_PAGE_SIZE: '4' });
});
after(() => h.close());

const ghost = '00000000-0000-4000-8000-000000000000';

describe('titles', () => {
  test('the first message names the session; PATCH renames it and every client hears session_updated', async () => {
    const a = await h.client();
    const watcher = await h.client();
    const id = await a.createSession();
    h.model.enqueue(id, { kind: 'text', text: 'Hi.' });
    await a.turn(
      id,
      '  Plan   the migration of the billing service to the new queue, with a rollback story and tests for every step  \nSecond line.',
    );
    const listed = (await h.api('GET', '/api/v1/sessions')).body as { sessions: SessionSummary[] };
    const named = listed.sessions.find((s) => s.session_id === id)?.title ?? '';
    assert.ok(named.startsWith('Plan the migration of the billing service'), named);
    assert.ok([...named].length <= 60 && named.endsWith('…'), 'a long first line is cut, and says so');
    assert.ok(!named.includes('Second line'), 'only the first line names it');

    const r = await h.api('PATCH', `/api/v1/sessions/${id}`, { title: '  Billing  queue ' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(SessionSummary.parse(r.body).title, 'Billing queue');
    const upd = await watcher.next('session_updated', (f) => f.session.session_id === id && f.session.title === 'Billing queue');
    assert.equal(upd.session.title, 'Billing queue');
    // A second message does not rename it.
    h.model.enqueue(id, { kind: 'text', text: 'Again.' });
    await a.turn(id, 'another question');
    assert.equal(((await h.api('GET', `/api/v1/sessions/${id}`)).body as SessionSummary).title, 'Billing queue');
  });

  test('a bad title is refused with invalid_message and changes nothing; an unknown session is 404', async () => {
    const a = await h.client();
    const id = await a.createSession();
    await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'Kept' });
    for (const body of [{ title: '   ' }, { title: 'x'.repeat(201) }, { title: 7 }, {}, { title: 'ok', extra: 1 }, '"nope"', []]) {
      const r = await h.api('PATCH', `/api/v1/sessions/${id}`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((r.body as { error: string }).error, 'invalid_message');
    }
    const long = await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'x'.repeat(201) });
    assert.deepEqual(long.body, { error: 'invalid_message', message: 'Title must be 1 to 200 characters' });
    assert.equal((await h.api('PATCH', `/api/v1/sessions/${id}`, { title: '😀'.repeat(200) })).status, 200, '200 emoji are 200 characters');
    await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'Kept' });
    assert.equal(((await h.api('GET', `/api/v1/sessions/${id}`)).body as SessionSummary).title, 'Kept');
    assert.equal((await h.api('PATCH', `/api/v1/sessions/${ghost}`, { title: 'x' })).status, 404);
    assert.equal((await h.api('PATCH', '/api/v1/sessions/not-a-uuid', { title: 'x' })).status, 404);
    assert.equal((await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'x' }, 'wrong-key')).status, 401);
  });
});

/** Pages back with load_history from `first` to the start; returns every page's messages, oldest first. */
async function loadToStart(c: TestClient, id: string, first: number): Promise<HistoryMessage[][]> {
  const pages: HistoryMessage[][] = [];
  let before_ = first;
  for (let i = 0; i < 50; i++) {
    c.send({ type: 'load_history', session_id: id, before: before_ });
    const p = await c.next('session_history_page', (f) => f.session_id === id);
    assert.ok(p.first_position < before_ || p.messages.length === 0, 'each page is earlier than the last');
    pages.unshift(p.messages);
    if (!p.has_more) {
      assert.equal(p.first_position, 0);
      return pages;
    }
    before_ = p.first_position;
  }
  throw new Error('load_history never reached the start');
}

const userTexts = (ms: HistoryMessage[]) => ms.flatMap((m) => (m.type === 'user' ? [m.text] : []));

describe('paging a conversation', () => {
  test('session_history sends the newest page (whole turns) with has_more; load_history pages back to the start, nothing twice or missing', async () => {
    const a = await h.client();
    const id = await a.createSession();
    for (let i = 1; i <= 5; i++) {
      h.model.enqueue(id, { kind: 'text', text: `answer ${i}` });
      await a.turn(id, `question ${i}`);
    }
    const b = await h.client();
    b.send({ type: 'switch_session', session_id: id });
    const hist = await b.next('session_history', (f) => f.session_id === id);
    assert.equal(hist.has_more, true);
    assert.equal(hist.messages[0]?.type, 'user', 'a page starts at a turn');
    assert.ok(hist.messages.length >= 4 && hist.messages.length <= 8, `newest page: ${hist.messages.length} messages`);
    assert.equal(hist.messages.at(-1)?.type, 'turn_result', 'the last turn ends with its outcome');
    const older = await loadToStart(b, id, hist.first_position);
    const all = [...older.flat(), ...hist.messages];
    assert.deepEqual(
      userTexts(all),
      [1, 2, 3, 4, 5].map((i) => `question ${i}`),
    );
    assert.deepEqual(
      all.flatMap((m) => (m.type === 'assistant' ? [m.text] : [])),
      [1, 2, 3, 4, 5].map((i) => `answer ${i}`),
    );
    assert.equal(all.filter((m) => m.type === 'turn_result').length, 5);
    // Asking before the start gives an empty last page.
    b.send({ type: 'load_history', session_id: id, before: 0 });
    const none = await b.next('session_history_page', (f) => f.session_id === id);
    assert.deepEqual([none.messages, none.has_more], [[], false]);
  });

  test('while a turn streams: the history stops before it, pages back cover the rest, the turn follows live, once', async () => {
    const a = await h.client();
    const id = await a.createSession();
    for (let i = 1; i <= 3; i++) {
      h.model.enqueue(id, { kind: 'text', text: `answer ${i}` });
      await a.turn(id, `question ${i}`);
    }
    h.model.enqueue(id, { kind: 'text', text: Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '), chunks: 60, delayMs: 20 });
    a.send({ type: 'user_message', session_id: id, text: 'question 4' });
    await a.next('stream_delta', (f) => f.session_id === id);
    const b = await h.client();
    b.send({ type: 'switch_session', session_id: id });
    const hist = await b.next('session_history', (f) => f.session_id === id);
    assert.equal(hist.is_query_active, true);
    const older = await loadToStart(b, id, hist.first_position);
    await b.next('response_complete', (f) => f.session_id === id, 30_000);
    const stored = [...older.flat(), ...hist.messages];
    assert.deepEqual(userTexts(stored), ['question 1', 'question 2', 'question 3'], 'the turn in flight is not in the history');
    const replayed = b.frames.filter((f) => f.type === 'turn_started' && f.session_id === id);
    assert.equal(replayed.length, 1, 'the turn in flight arrives once, as events');
  });
});

describe('the session list', () => {
  test('pages with limit and an opaque cursor: newest first, every session once; a bad cursor or limit is 400', async () => {
    const a = await h.client();
    for (let i = 0; i < 3; i++) await a.createSession();
    const full = (await h.api('GET', '/api/v1/sessions')).body as { sessions: SessionSummary[]; next_cursor: string | null };
    assert.equal(full.next_cursor, null, 'without limit every session fits the default page');
    assert.ok(full.sessions.length >= 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const r = await h.api('GET', `/api/v1/sessions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const body = r.body as { sessions: SessionSummary[]; next_cursor: string | null };
      assert.ok(body.sessions.length <= 2);
      seen.push(...body.sessions.map((s) => s.session_id));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(
      seen,
      full.sessions.map((s) => s.session_id),
      'the pages together are the whole list, in order',
    );
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'cursor=not-ours', `cursor=${Buffer.from('{"a":1}').toString('base64url')}`]) {
      const r = await h.api('GET', `/api/v1/sessions?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal((r.body as { error: string }).error, 'invalid_message');
    }
  });
});

describe('search', () => {
  test('finds sessions by message text (user and assistant) and by title, newest first, with a snippet; no match is empty', async () => {
    const a = await h.client();
    const one = await a.createSession();
    h.model.enqueue(one, { kind: 'text', text: 'The flamingo migration is scheduled for Tuesday.' });
    await a.turn(one, 'When does the pelican rollout happen?');
    const two = await a.createSession();
    h.model.enqueue(two, { kind: 'text', text: 'Noted.' });
    await a.turn(two, 'remember the pelican');
    await h.api('PATCH', `/api/v1/sessions/${two}`, { title: 'Heron notes' });
    const search = async (q: string) => {
      const r = await h.api('GET', `/api/v1/sessions?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body as { sessions: (SessionSummary & { snippet?: string })[] }).sessions;
    };
    assert.deepEqual(
      (await search('pelican')).map((s) => s.session_id),
      [two, one],
      'user text, newest first',
    );
    const flam = await search('flaming');
    assert.deepEqual(
      flam.map((s) => s.session_id),
      [one],
      'assistant text, by prefix',
    );
    assert.match(flam[0]?.snippet ?? '', /flamingo migration/);
    assert.deepEqual(
      (await search('heron')).map((s) => s.session_id),
      [two],
      'the title',
    );
    assert.deepEqual(await search('pelican flamingo'), [], 'every word must match (in one message)');
    assert.deepEqual(await search('zebra'), []);
    assert.deepEqual(await search('"*)('), [], 'search syntax is not passed through');
  });
});

describe('export', () => {
  test('markdown: readable turns, tool calls in a line, costs; json: the summary and every message; a download name', async () => {
    const a = await h.client();
    const id = await a.createSession();
    h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'echo exported-marker', description: 'say it' } });
    h.model.enqueue(id, { kind: 'text', text: 'The command printed **exported-marker**.' });
    await a.turn(id, 'Run echo for me');
    await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'Echo: test / export' });
    const res = await fetch(`${h.url}/api/v1/sessions/${id}/export?format=markdown`, { headers: { 'X-API-Key': h.key } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="echo-test-export-${id.slice(0, 8)}.md"`);
    const md = await res.text();
    assert.match(md, /^# Echo: test \/ export\n/);
    assert.match(md, /## You · .*\n\nRun echo for me\n/);
    assert.match(md, /- Tool `Bash: echo exported-marker` \(ok, \d+ ms\)/);
    assert.match(md, /The command printed \*\*exported-marker\*\*\./);
    assert.match(md, /\*Done · \$\d+\.\d+ · \d+ model turns?\*/);
    assert.match(md, /total cost: \$/);

    const j = await fetch(`${h.url}/api/v1/sessions/${id}/export?format=json`, { headers: { 'X-API-Key': h.key } });
    assert.equal(j.status, 200);
    assert.match(j.headers.get('content-disposition') ?? '', /filename="echo-test-export-[0-9a-f]{8}\.json"/);
    const body = (await j.json()) as { session: SessionSummary; messages: HistoryMessage[] };
    assert.equal(body.session.session_id, id);
    assert.deepEqual(
      body.messages.map((m) => m.type),
      ['user', 'tool_use', 'tool_result', 'assistant', 'turn_result'],
    );

    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/export?format=pdf`)).status, 400);
    assert.equal((await h.api('GET', `/api/v1/sessions/${ghost}/export`)).status, 404);
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/export`, undefined, null)).status, 401);
  });
});

describe('after a restart', () => {
  test('search still finds a conversation, and one stored before the copy existed is read at start (backfill)', async () => {
    const a = await h.client();
    const id = await a.createSession();
    h.model.enqueue(id, { kind: 'text', text: 'Noted: the kestrel hovers.' });
    await a.turn(id, 'remember the kestrel');
    const other = await a.createSession();
    h.model.enqueue(other, { kind: 'text', text: 'Noted: the osprey dives.' });
    await a.turn(other, 'remember the osprey');
    const found = async (hh: Harness, q: string) =>
      ((await hh.api('GET', `/api/v1/sessions?q=${q}`)).body as { sessions: SessionSummary[] }).sessions.map((s) => s.session_id);
    assert.deepEqual(await found(h, 'osprey'), [other]);

    // A second server on the same data, after the first stopped; the osprey session's copy is
    // dropped first, as for a session stored before this version.
    const dir = h.dir;
    await h.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(h.env.DATABASE_URL?.replace(/^sqlite:\/\//, '') as string);
    db.prepare('DELETE FROM history_messages WHERE session_id = ?').run(other);
    db.prepare('DELETE FROM history_sources WHERE session_id = ?').run(other);
    db.close();
    h = await startHarness({ HISTORY_PAGE_SIZE: '4' }, { dir });
    assert.deepEqual(await found(h, 'kestrel'), [id], 'the index survives a restart');
    // The start-up catch-up reads that session's transcript again, in the background.
    assert.ok((await h.built.manager.conversations.caughtUp) >= 1, 'the catch-up read the session without a copy');
    const hits = await found(h, 'osprey');
    assert.deepEqual(hits, [other]);
  });
});
