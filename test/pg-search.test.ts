// Search on PostgreSQL finds what SQLite's FTS5 finds: the same queries give the same sessions (prefixes,
// several words, words the tokenizer cuts, case and diacritics, odd characters and would-be syntax), and
// the snippet is FTS5's window of words around the match.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { HistoryRepository, Repositories, SessionMetadata } from '../src/db/ports.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { snippetOf, tokenize, tsqueryLiteral, tsvectorLiteral } from '../src/db/postgres/search-tokens.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import type { HistoryMessage } from '../src/protocol/messages.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';

const skip = pgSkipReason();
const at = '2026-01-01T00:00:00.000Z';

/** Session id → [title, messages' text]; ids sort as the list would (newest = highest). */
const CORPUS: Record<string, [string | null, string[]]> = {
  's01-deploy': ['Deploy the app', ['Please deploy the staging server', 'Deployment finished in 3 minutes.']],
  's02-cafe': [null, ['Café crème at the ÉCOLE', 'naïve façade résumé']],
  's03-snake': ['snake_case names', ['rename foo_bar to fooBar', 'the variable my_var_name stays']],
  's04-urls': [null, ['see https://example.com/docs/install.html and user@example.org', 'path /usr/local/bin/node-24 v1.2.3']],
  's05-hyphen': ['nul\u0000title', ['a well-known pre-existing issue', "don't stop; it's fine", 'a nul\u0000byte inside']],
  's06-unicode': ['Ελληνικά ΟΔΟΣ', ['ДОМ и Дом', '日本語テキスト', 'Straße İstanbul', 'नमस्ते दुनिया', 'x² and ½']],
  's07-numbers': [null, ['error 404 then 500', 'version 2026 release 3rd']],
  's08-quotes': [null, ['He said "hello world" and left', "quote 'single' and `backtick` code"]],
  's09-long': [
    null,
    [
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty needle twentyone twentytwo twentythree twentyfour twentyfive twentysix twentyseven twentyeight',
    ],
  ],
  's10-split': [null, ['alpha appears here', 'beta appears there']],
  's11-tools': [null, []],
  's12-emoji': ['party🎉time', ['emoji😀here and there']],
};

const QUERIES = [
  'deploy',
  'deplo',
  'DEPLOY',
  'Deploy the',
  'staging server',
  'cafe',
  'CAFÉ',
  'école',
  'naive facade',
  'resume',
  'foo_bar',
  'foo',
  'bar',
  'foobar',
  'my_var',
  'var_name',
  'example.com',
  'example',
  'com',
  'docs install',
  'user@example',
  'usr local',
  'node-24',
  '24',
  'v1.2.3',
  '1 2 3',
  'well-known',
  'known',
  'pre exist',
  "don't",
  'it s',
  'дом',
  'ДО',
  'ελληνικα',
  'οδος',
  'straße',
  'strasse',
  'istanbul',
  '日本',
  '日本語テキスト',
  'नमस',
  'x²',
  '½',
  '404',
  '40',
  '3rd',
  '"hello world"',
  '"hello',
  'world"',
  "'single'",
  '`backtick`',
  'needle',
  'needle one',
  'alpha beta',
  'alpha appears',
  'party',
  'time',
  'emoji here',
  '*',
  '"',
  "'",
  '\\',
  'deploy*',
  'deploy OR cafe',
  'NOT deploy',
  'deploy AND',
  '(deploy)',
  'deploy:',
  'title:deploy',
  '-deploy',
  '^deploy',
  'NEAR(deploy server)',
  '{deploy}',
  'deploy + server',
  '',
  '   ',
  '!!!',
  '___',
  'a_',
  '_a',
  'tool',
  'Read',
  "'; DROP TABLE sessions; --",
  '\u0000deploy',
  'e\u0301cole',
  'byte',
  'nul',
  'nulbyte',
  'title',
];

function messagesOf(texts: string[], id: string): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  texts.forEach((text, i) => {
    out.push(i % 2 === 0 ? { type: 'user', text, timestamp: at } : { type: 'assistant', text, timestamp: at });
  });
  // Tool calls and output are never searched.
  if (id === 's11-tools')
    out.push(
      { type: 'tool_use', tool_use_id: 't1', tool: 'Read', input: { file_path: '/tool/needle' }, timestamp: at },
      { type: 'tool_result', tool_use_id: 't1', result: { content: 'tool output deploy' }, status: 'success', timestamp: at },
    );
  return out;
}

function meta(id: string, title: string | null, i: number): SessionMetadata {
  const t = new Date(Date.parse(at) + i * 1000).toISOString();
  return {
    session_id: id,
    user_id: 'default',
    status: 'idle',
    created_at: t,
    last_active_at: t,
    subprocess_pid: null,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title,
  };
}

let sqlite: Repositories;
let pg: Repositories;

before(async () => {
  if (skip) return;
  sqlite = await openSqlite(':memory:');
  pg = await openPostgres(await freshPgDatabase());
  let i = 0;
  for (const [id, [title, texts]] of Object.entries(CORPUS)) {
    const m = meta(id, title, i++);
    const msgs = messagesOf(texts, id);
    const source = { bytes: 1, format: 1, count: msgs.length };
    await sqlite.sessions.save(m);
    await sqlite.history.replaceFrom(id, 0, msgs, source);
    await pg.sessions.save(m);
    await pg.history.replaceFrom(id, 0, msgs, source);
  }
});

after(async () => {
  if (skip) return;
  await sqlite.close();
  await pg.close();
  await (await sharedPgCluster()).stop();
});

/** Sessions found, with whether a message (not only the title) matched. */
async function found(h: Pick<HistoryRepository, 'search'>, q: string): Promise<string[]> {
  const hits = await h.search(q);
  return [...hits].map(([id, row]) => `${id}${row === undefined ? ' (title)' : ''}`).sort();
}

test('every query finds the same sessions on PostgreSQL as on SQLite FTS5, and none is an error', { skip }, async () => {
  let nonEmpty = 0;
  for (const q of QUERIES) {
    const want = await found(sqlite.history, q);
    const got = await found(pg.history, q);
    assert.deepEqual(got, want, `query ${JSON.stringify(q)}`);
    if (want.length > 0) nonEmpty++;
  }
  assert.ok(nonEmpty > 40, `most queries find something (${nonEmpty} of ${QUERIES.length})`);
});

/** FTS5's own snippet of one text (a table of its own: the same tokenizer and call as the SQLite engine). */
function fts5Snippet(text: string, q: string): string | undefined {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE f USING fts5(t, tokenize='unicode61 remove_diacritics 2')");
  db.prepare('INSERT INTO f(t) VALUES (?)').run(text);
  const words = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
  const r = db.prepare("SELECT snippet(f, 0, '', '', '…', 16) AS s FROM f WHERE f MATCH ?").get(words.map((w) => `"${w}"*`).join(' ')) as
    | { s: string }
    | undefined;
  db.close();
  return r?.s;
}

test('the snippet is the words around the match, as FTS5 cuts them', { skip }, async () => {
  let compared = 0;
  for (const q of ['needle', 'one', 'twentyeight', 'seven needle', 'deplo', 'cafe', 'foo_bar', 'hello', 'dom', 'appears']) {
    for (const [id, row] of await pg.history.search(q)) {
      if (row === undefined) continue;
      // The newest matching message of the session is the one the snippet comes from.
      const texts = (await pg.history.all(id)).map((m) => ('text' in m.message ? m.message.text : ''));
      const newest = texts.reverse().find((t) => fts5Snippet(t, q) !== undefined);
      assert.ok(newest !== undefined, `${id} has a message matching ${q}`);
      const want = fts5Snippet(newest, q);
      assert.equal(await pg.history.snippet(q, row), want, `snippet of ${JSON.stringify(q)} in ${id}`);
      compared++;
    }
  }
  assert.ok(compared >= 9, `${compared} snippets compared`);
  const [[, id]] = [...(await pg.history.search('deploy'))] as [[string, number]];
  assert.equal(await pg.history.snippet('cafe', id), undefined, 'no snippet where the query does not match');
  assert.equal(await pg.history.snippet('!!!', id), undefined, 'no snippet for a query without words');
});

test('the tokenizer: FTS5 unicode61 with diacritics removed; literals quote every lexeme', () => {
  assert.deepEqual(
    tokenize("Café-crème foo_bar e\u0301cole x²y don't 😀ok").map((t) => t.text),
    ['cafe', 'creme', 'foo', 'bar', 'ecole', 'x²y', 'don', 't', 'ok'],
  );
  assert.equal(tsvectorLiteral('b a b'), "'b':1,3 'a':2");
  assert.equal(tsqueryLiteral('foo_bar "baz'), "('foo' <-> 'bar':*) & ('baz':*)");
  assert.equal(tsqueryLiteral('"*()!'), null);
  assert.equal(snippetOf('Hello, world! We deploy.', 'deplo'), 'Hello, world! We deploy.');
});
