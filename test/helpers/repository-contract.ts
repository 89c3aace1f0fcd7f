// The repository contract (src/db/ports.ts) as test cases, run against every engine by
// test/contract-repositories.test.ts. Each case opens a fresh, empty database and closes it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Repositories, SessionMetadata, TurnRecord, UserRow, WebSessionRow } from '../../src/db/ports.js';
import type { HistoryMessage } from '../../src/protocol/messages.js';

export interface Engine {
  name: string;
  /** A fresh, empty, migrated database (the built-in admin `default` exists). */
  open(): Promise<Repositories>;
  /** Runs one SQL statement as any client of the database could (what the engine itself refuses). */
  exec(r: Repositories, sql: string): Promise<void>;
  /** Why this engine cannot run here (its cases are skipped), or undefined. */
  skip?: string | undefined;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
/** ISO time `min` minutes after T0. */
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const sid = () => randomUUID();

export function meta(over: Partial<SessionMetadata> & { session_id: string }): SessionMetadata {
  return {
    user_id: 'default',
    status: 'idle',
    created_at: at(0),
    last_active_at: at(0),
    subprocess_pid: null,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title: null,
    model: null,
    permission_mode: null,
    ...over,
  };
}

const user = (text: string, min = 0): HistoryMessage => ({ type: 'user', text, timestamp: at(min) });
const assistant = (text: string, min = 0): HistoryMessage => ({ type: 'assistant', text, timestamp: at(min) });
const toolResult = (text: string): HistoryMessage => ({
  type: 'tool_result',
  tool_use_id: 't1',
  result: { output: text },
  status: 'success',
  timestamp: at(0),
});
const turn = (session_id: string, startMin: number, cost = 0.5, over: Partial<TurnRecord> = {}): TurnRecord => ({
  session_id,
  started_at: at(startMin),
  ended_at: at(startMin + 1),
  outcome: 'complete',
  cost_usd: cost,
  turn_count: 1,
  ...over,
});
const person = (user_id: string, over: Partial<UserRow> = {}): UserRow => ({
  user_id,
  name: user_id,
  role: 'member',
  oidc_subject: null,
  disabled: false,
  created_at: at(0),
  updated_at: at(0),
  ...over,
});
const signIn = (token_hash: string, over: Partial<WebSessionRow> = {}): WebSessionRow => ({
  token_hash,
  id: randomUUID().replaceAll('-', '').slice(0, 24),
  user_id: 'alice',
  via: 'oidc',
  credential: null,
  user_agent: null,
  created_at: at(0),
  last_used_at: null,
  expires_at: at(60),
  ...over,
});

/** Stores a session with these messages (and an optional title); returns its id. */
async function conversation(r: Repositories, messages: HistoryMessage[], over: Partial<SessionMetadata> = {}): Promise<string> {
  const id = sid();
  await r.sessions.save(meta({ session_id: id, ...over }));
  await r.history.replaceFrom(id, 0, messages, { bytes: 1, format: 1, count: messages.length });
  return id;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

export function repositoryContract(engine: Engine): void {
  /** One case on a fresh database. */
  const it = (name: string, fn: (r: Repositories) => Promise<void>) =>
    test(name, { skip: engine.skip ?? false }, async () => {
      const r = await engine.open();
      try {
        await fn(r);
      } finally {
        await r.close();
      }
    });

  describe(`${engine.name}: sessions`, () => {
    it('save then get gives the row back, booleans and nulls included; unknown ids are undefined', async (r) => {
      const id = sid();
      const m = meta({ session_id: id, title: 'Plan', model: 'opus', permission_mode: 'plan', is_resumable: false, subprocess_pid: 42 });
      await r.sessions.save(m);
      const got = await r.sessions.get(id);
      assert.deepEqual(
        { ...got, working_dir: got?.working_dir ?? null, archived_at: got?.archived_at ?? null },
        {
          ...m,
          working_dir: null,
          archived_at: null,
        },
      );
      assert.equal(got?.is_resumable, false);
      assert.equal(await r.sessions.get(sid()), undefined);
    });

    it('save updates the row but never its owner or creation time', async (r) => {
      const id = sid();
      await r.sessions.save(meta({ session_id: id }));
      await r.sessions.save(
        meta({
          session_id: id,
          user_id: 'mallory',
          created_at: at(99),
          status: 'terminated',
          terminated_reason: 'x',
          title: 'T',
          message_count: 3,
          total_cost_usd: 1.25,
        }),
      );
      const got = await r.sessions.get(id);
      assert.equal(got?.user_id, 'default');
      assert.equal(got?.created_at, at(0));
      assert.equal(got?.status, 'terminated');
      assert.equal(got?.terminated_reason, 'x');
      assert.equal(got?.title, 'T');
      assert.equal(got?.message_count, 3);
      assert.equal(got?.total_cost_usd, 1.25);
    });

    it('listActive: every session not terminated (archived ones too), oldest created first', async (r) => {
      const [a, b, c, d] = [sid(), sid(), sid(), sid()];
      await r.sessions.save(meta({ session_id: a, created_at: at(2), status: 'idle' }));
      await r.sessions.save(meta({ session_id: b, created_at: at(1), status: 'dormant' }));
      await r.sessions.save(meta({ session_id: c, created_at: at(0), status: 'terminated' }));
      await r.sessions.save(meta({ session_id: d, created_at: at(3), status: 'active' }));
      await r.removals.setArchived(d, at(4));
      assert.deepEqual(
        (await r.sessions.listActive()).map((m) => m.session_id),
        [b, a, d],
      );
    });

    it('listAll: not archived, most recently active first, one user only with userId', async (r) => {
      const [a, b, c] = [sid(), sid(), sid()];
      await r.sessions.save(meta({ session_id: a, last_active_at: at(1) }));
      await r.sessions.save(meta({ session_id: b, last_active_at: at(3), user_id: 'bob' }));
      await r.sessions.save(meta({ session_id: c, last_active_at: at(2) }));
      const archived = sid();
      await r.sessions.save(meta({ session_id: archived, last_active_at: at(9) }));
      await r.removals.setArchived(archived, at(9));
      assert.deepEqual(
        (await r.sessions.listAll()).map((m) => m.session_id),
        [b, c, a],
      );
      assert.deepEqual(
        (await r.sessions.listAll('default')).map((m) => m.session_id),
        [c, a],
      );
      assert.deepEqual(await r.sessions.listAll('nobody'), []);
    });

    it('listPage: pages by (last_active_at, session_id) descending, none twice, ties broken by id; archived apart; per user', async (r) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = sid();
        ids.push(id);
        // three share a time: the id orders them
        await r.sessions.save(meta({ session_id: id, last_active_at: at(i < 3 ? 5 : i), user_id: i % 2 ? 'bob' : 'default' }));
      }
      const expected = [...ids].sort((x, y) => {
        const tx = x === ids[0] || x === ids[1] || x === ids[2] ? 5 : ids.indexOf(x);
        const ty = y === ids[0] || y === ids[1] || y === ids[2] ? 5 : ids.indexOf(y);
        return ty - tx || (y < x ? -1 : y > x ? 1 : 0);
      });
      const seen: string[] = [];
      let cursor: { last_active_at: string; session_id: string } | undefined;
      for (;;) {
        const page = await r.sessions.listPage({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.map((m) => m.session_id));
        const last = page.at(-1);
        if (page.length < 3 || !last) break;
        cursor = { last_active_at: last.last_active_at, session_id: last.session_id };
      }
      assert.deepEqual(seen, expected);
      const bobs = await r.sessions.listPage({ limit: 10, userId: 'bob' });
      assert.deepEqual(
        bobs.map((m) => m.session_id),
        expected.filter((id) => ids.indexOf(id) % 2 === 1),
      );
      await r.removals.setArchived(ids[6] as string, at(10));
      assert.deepEqual(
        (await r.sessions.listPage({ limit: 10, archived: true })).map((m) => m.session_id),
        [ids[6]],
      );
      assert.ok(!(await r.sessions.listPage({ limit: 10 })).some((m) => m.session_id === ids[6]));
    });

    it('listOf: these sessions only (archived included), one user only with userId, newest first, at most limit', async (r) => {
      const [a, b, c] = [sid(), sid(), sid()];
      await r.sessions.save(meta({ session_id: a, last_active_at: at(1) }));
      await r.sessions.save(meta({ session_id: b, last_active_at: at(2), user_id: 'bob' }));
      await r.sessions.save(meta({ session_id: c, last_active_at: at(3) }));
      await r.removals.setArchived(c, at(4));
      assert.deepEqual(
        (await r.sessions.listOf([a, b, c, sid()], { limit: 10 })).map((m) => m.session_id),
        [c, b, a],
      );
      assert.deepEqual(
        (await r.sessions.listOf([a, b, c], { limit: 10, userId: 'default' })).map((m) => m.session_id),
        [c, a],
      );
      assert.deepEqual(
        (await r.sessions.listOf([a, b, c], { limit: 1 })).map((m) => m.session_id),
        [c],
      );
      assert.deepEqual(await r.sessions.listOf([], { limit: 10 }), []);
    });

    it('a session row carries its working folder once recorded', async (r) => {
      const id = sid();
      await r.sessions.save(meta({ session_id: id }));
      await r.workspaces.record(id, '/srv/project/users/alice');
      assert.equal((await r.sessions.get(id))?.working_dir, '/srv/project/users/alice');
      assert.equal((await r.sessions.listAll())[0]?.working_dir, '/srv/project/users/alice');
    });

    it('spawned processes: remembered (the same pid and start time replaced), forgotten by pid and start time', async (r) => {
      await r.sessions.rememberProcess(100, 'start-a', 's1');
      await r.sessions.rememberProcess(100, 'start-b', null);
      await r.sessions.rememberProcess(100, 'start-a', 's2');
      const all = (await r.sessions.spawnedProcesses()).sort((x, y) => x.start_time.localeCompare(y.start_time));
      assert.deepEqual(all, [
        { pid: 100, start_time: 'start-a', session_id: 's2' },
        { pid: 100, start_time: 'start-b', session_id: null },
      ]);
      await r.sessions.forgetProcess(100, 'start-a');
      await r.sessions.forgetProcess(999, 'nothing');
      assert.deepEqual(await r.sessions.spawnedProcesses(), [{ pid: 100, start_time: 'start-b', session_id: null }]);
    });

    it("spawned processes by replica: each replica reads its own records and those made before replicas, not another's", async (r) => {
      await r.sessions.rememberProcess(200, 'a', 's1', 'replica-a');
      await r.sessions.rememberProcess(201, 'b', null, 'replica-b');
      await r.sessions.rememberProcess(202, 'old', null);
      const pids = async (replica?: string) => (await r.sessions.spawnedProcesses(replica)).map((p) => p.pid).sort();
      assert.deepEqual(await pids('replica-a'), [200, 202]);
      assert.deepEqual(await pids('replica-b'), [201, 202]);
      assert.deepEqual(await pids(), [200, 201, 202]);
      for (const [pid, st] of [
        [200, 'a'],
        [201, 'b'],
        [202, 'old'],
      ] as const)
        await r.sessions.forgetProcess(pid, st);
    });

    it('turns: oldest first, context figures null when not reported; turnsBetween is [from, to)', async (r) => {
      const id = sid();
      await r.sessions.save(meta({ session_id: id }));
      await r.sessions.recordTurn(turn(id, 5, 0.25, { context_tokens: 1200, context_window: 200000 }));
      await r.sessions.recordTurn(turn(id, 1, 0.5, { outcome: 'interrupted', turn_count: 3 }));
      await r.sessions.recordTurn(turn(sid(), 2));
      const turns = await r.sessions.turnsOf(id);
      assert.deepEqual(
        turns.map((t) => [t.started_at, t.outcome, t.cost_usd, t.turn_count, t.context_tokens ?? null, t.context_window ?? null]),
        [
          [at(1), 'interrupted', 0.5, 3, null, null],
          [at(5), 'complete', 0.25, 1, 1200, 200000],
        ],
      );
      assert.equal(turns[0]?.ended_at, at(2));
      assert.deepEqual(
        (await r.sessions.turnsBetween(id, at(1), at(5))).map((t) => t.started_at),
        [at(1)],
      );
      assert.deepEqual(await r.sessions.turnsBetween(id, at(6), at(9)), []);
    });

    it('close is idempotent, and writes that come after it resolve and change nothing', async (r) => {
      await r.close();
      await r.close();
      await r.sessions.save(meta({ session_id: sid() }));
      await r.sessions.recordTurn(turn(sid(), 0));
      await r.sessions.rememberProcess(1, 'x', null);
      await r.sessions.forgetProcess(1, 'x');
      await r.history.replaceFrom(sid(), 0, [], { bytes: 0, format: 1, count: 0 });
      assert.equal(
        await r.audit.append({ at: at(0), actor_user_id: 'a', action: 'x', target_user_id: null, session_id: null, detail: '{}' }),
        0,
      );
      await r.users.touchToken('t', at(0));
      await r.workspaces.record(sid(), '/x');
    });
  });

  describe(`${engine.name}: conversations`, () => {
    it('replaceFrom writes by position and records the source; from the middle on it keeps what comes before', async (r) => {
      const id = sid();
      await r.sessions.save(meta({ session_id: id }));
      assert.equal(await r.history.source(id), undefined);
      await r.history.replaceFrom(id, 0, [user('one'), assistant('two'), user('three')], { bytes: 10, format: 1, count: 3 });
      await r.history.replaceFrom(id, 2, [user('THREE'), assistant('four')], { bytes: 20, format: 1, count: 4 });
      assert.deepEqual(await r.history.source(id), { bytes: 20, format: 1, count: 4 });
      const all = await r.history.all(id);
      assert.deepEqual(
        all.map((m) => [m.pos, m.message.type, (m.message as { text: string }).text]),
        [
          [0, 'user', 'one'],
          [1, 'assistant', 'two'],
          [2, 'user', 'THREE'],
          [3, 'assistant', 'four'],
        ],
      );
      assert.deepEqual(all[0]?.message, user('one'), 'the message comes back as stored');
      assert.deepEqual(
        (await r.history.range(id, 1, 3)).map((m) => m.pos),
        [1, 2],
      );
      assert.deepEqual(await r.history.range(id, 9, 12), []);
      await r.history.replaceFrom(id, 1, [], { bytes: 21, format: 1, count: 1 });
      assert.deepEqual(
        (await r.history.all(id)).map((m) => m.pos),
        [0],
      );
      assert.deepEqual(await r.history.all(sid()), []);
    });

    it('turnStartAtOrBefore finds the user message a turn starts with; lastUserWithText the newest with that exact text', async (r) => {
      const id = await conversation(r, [user('hi'), assistant('a'), toolResult('t'), user('again'), assistant('b'), user('hi')]);
      assert.equal(await r.history.turnStartAtOrBefore(id, 2), 0);
      assert.equal(await r.history.turnStartAtOrBefore(id, 4), 3);
      assert.equal(await r.history.turnStartAtOrBefore(id, 3), 3);
      assert.equal(await r.history.turnStartAtOrBefore(sid(), 5), 0);
      assert.equal(await r.history.lastUserWithText(id, 'hi'), 5);
      assert.equal(await r.history.lastUserWithText(id, 'again'), 3);
      assert.equal(await r.history.lastUserWithText(id, 'a'), undefined, 'assistant text is not a user message');
      assert.equal(await r.history.lastUserWithText(id, 'h'), undefined, 'exact text only');
    });

    it('unsynced: sessions never read or read by another format, most recently active first', async (r) => {
      const [a, b, c] = [sid(), sid(), sid()];
      await r.sessions.save(meta({ session_id: a, last_active_at: at(1) }));
      await r.sessions.save(meta({ session_id: b, last_active_at: at(2) }));
      await r.sessions.save(meta({ session_id: c, last_active_at: at(3) }));
      await r.history.replaceFrom(a, 0, [], { bytes: 0, format: 1, count: 0 });
      await r.history.replaceFrom(c, 0, [], { bytes: 0, format: 0, count: 0 });
      assert.deepEqual(await r.history.unsynced(1), [c, b]);
      assert.deepEqual(await r.history.unsynced(0), [b, a]);
    });
  });

  describe(`${engine.name}: search`, () => {
    it('every word must be in one message (as a prefix, any case); the newest matching message of each session', async (r) => {
      const a = await conversation(r, [user('Deploy the staging cluster'), assistant('Deployment done'), user('deploy production now')]);
      const b = await conversation(r, [user('deploy'), assistant('cluster ready')]);
      const hits = await r.history.search('deplo CLUSTER');
      assert.deepEqual(sorted(hits.keys()), [a], 'b has the words in two messages only');
      const rows = await r.history.all(a);
      const hitsDeploy = await r.history.search('deploy');
      assert.deepEqual(sorted(hitsDeploy.keys()), sorted([a, b]));
      // the id is the newest matching message's: its snippet is that message's
      const s = await r.history.snippet('deploy', hitsDeploy.get(a) as number);
      assert.match(s ?? '', /production/);
      assert.equal(rows.length, 3);
      assert.deepEqual(sorted((await r.history.search('stag')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('taging')).keys()), [], 'a word matches from its start only');
    });

    it('tool calls and their output are never searched', async (r) => {
      await conversation(r, [user('list files'), toolResult('secretfile.txt'), assistant('done')]);
      assert.equal((await r.history.search('secretfile')).size, 0);
    });

    it('titles match too (the id is undefined when only the title did); a message hit keeps its id', async (r) => {
      const a = await conversation(r, [user('nothing here')], { title: 'Quarterly report' });
      const b = await conversation(r, [user('the quarterly numbers')], { title: 'Quarterly figures' });
      const hits = await r.history.search('quarterly');
      assert.deepEqual(sorted(hits.keys()), sorted([a, b]));
      assert.equal(hits.get(a), undefined);
      assert.equal(typeof hits.get(b), 'number');
      // a renamed session is found by its new title only
      await r.sessions.save(meta({ session_id: a, title: 'Annual summary' }));
      assert.deepEqual(sorted((await r.history.search('quarterly')).keys()), [b]);
      assert.deepEqual(sorted((await r.history.search('annual summ')).keys()), [a]);
    });

    it('nothing typed is query syntax: quotes, stars, operators and brackets are separators', async (r) => {
      const a = await conversation(r, [user('fix the "login" bug AND the crash (urgent) - now: ok')]);
      for (const q of [
        '"login',
        'login"',
        '"login" bug',
        'login*',
        'bug AND crash',
        'NOT login',
        '(urgent',
        'urgent)',
        '-now',
        'now:',
        'OR',
        '^fix',
        'fix +crash',
        "login' OR '1'='1",
      ]) {
        const hits = await r.history.search(q);
        // Words of the query that are in the message find it; none of these throws.
        const words = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
        const inText = words.every(
          (w) =>
            /fix|the|login|bug|and|crash|urgent|now|ok/i.test(w) &&
            ['fix', 'the', 'login', 'bug', 'and', 'crash', 'urgent', 'now', 'ok'].some((t) => t.startsWith(w.toLowerCase())),
        );
        assert.equal(hits.has(a), inText, q);
      }
      for (const q of ['', '   ', '"', '***', '()', '-', '…'])
        assert.equal((await r.history.search(q)).size, 0, `no word: ${JSON.stringify(q)}`);
    });

    it('unicode: letters of any script, case folded, Latin diacritics folded, digits are words', async (r) => {
      const a = await conversation(r, [user('Le café est prêt à Zürich, 2026 édition')]);
      const b = await conversation(r, [assistant('日本語 のテキスト と Ωμέγα')]);
      assert.deepEqual(sorted((await r.history.search('cafe')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('CAFÉ pret')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('zurich')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('edition 202')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('日本')).keys()), [b]);
      assert.deepEqual(sorted((await r.history.search('ωμέγα')).keys()), [b]);
    });

    it('a word that the text splits (foo_bar) matches its parts as a phrase', async (r) => {
      const a = await conversation(r, [user('call foo_bar()')]);
      const b = await conversation(r, [user('the foo bar is open')]);
      const c = await conversation(r, [user('bar foo, reversed')]);
      assert.deepEqual(sorted((await r.history.search('foo_bar')).keys()), sorted([a, b]));
      assert.deepEqual(sorted((await r.history.search('foo_ba')).keys()), sorted([a, b]), 'the last part as a prefix');
      assert.ok(!(await r.history.search('foo_bar')).has(c));
    });

    it('archived sessions are found; replaced and deleted messages are not', async (r) => {
      const a = await conversation(r, [user('wombat migration plan')]);
      await r.removals.setArchived(a, at(1));
      assert.deepEqual(sorted((await r.history.search('wombat')).keys()), [a]);
      await r.history.replaceFrom(a, 0, [user('koala instead')], { bytes: 2, format: 1, count: 1 });
      assert.equal((await r.history.search('wombat')).size, 0);
      assert.deepEqual(sorted((await r.history.search('koala')).keys()), [a]);
    });

    it('snippet: a short excerpt around the match, no markers, … where cut; undefined without a word or a match', async (r) => {
      const long = `${'alpha '.repeat(40)}needle ${'omega '.repeat(40)}`.trim();
      const id = await conversation(r, [user(long)]);
      const hit = (await r.history.search('needle')).get(id) as number;
      const s = (await r.history.snippet('needle', hit)) ?? '';
      assert.match(s, /needle/);
      assert.ok(s.includes('…'), s);
      assert.ok(!/[<>[\]]|\*\*/.test(s), `no markers: ${s}`);
      assert.ok(s.split(/\s+/).length <= 24, `short: ${s}`);
      assert.equal(await r.history.snippet('"', hit), undefined);
      assert.equal(await r.history.snippet('zebra', hit), undefined);
      const short = await conversation(r, [user('Deploy now')]);
      const sh = (await r.history.search('deploy')).get(short) as number;
      assert.equal(await r.history.snippet('deploy', sh), 'Deploy now');
    });
  });

  describe(`${engine.name}: users and tokens`, () => {
    it('the built-in admin exists; users by id, by subject, oldest first; an id or subject taken twice is refused', async (r) => {
      assert.equal((await r.users.user('default'))?.role, 'admin');
      await r.users.insertUser(person('bob', { created_at: at(2), oidc_subject: 'sub-bob' }));
      await r.users.insertUser(person('alice', { created_at: at(1), disabled: true }));
      assert.deepEqual(await r.users.user('alice'), person('alice', { created_at: at(1), disabled: true }));
      assert.equal((await r.users.userBySubject('sub-bob'))?.user_id, 'bob');
      assert.equal(await r.users.userBySubject('nobody'), undefined);
      assert.deepEqual(
        (await r.users.users()).map((u) => u.user_id).filter((id) => id !== 'default'),
        ['alice', 'bob'],
      );
      await assert.rejects(r.users.insertUser(person('bob')));
      await assert.rejects(r.users.insertUser(person('carol', { oidc_subject: 'sub-bob' })));
      assert.equal(await r.users.user('carol'), undefined);
    });

    it('updateUser, counts of enabled admins and of enabled users besides one', async (r) => {
      await r.users.insertUser(person('bob'));
      await r.users.insertUser(person('eve', { role: 'admin' }));
      assert.equal(await r.users.activeAdminCount(), 2);
      assert.equal(await r.users.activeUsersBesides('default'), 2);
      await r.users.updateUser({ user_id: 'eve', name: 'Eve', role: 'admin', disabled: true, updated_at: at(5) });
      const eve = await r.users.user('eve');
      assert.equal(eve?.name, 'Eve');
      assert.equal(eve?.disabled, true);
      assert.equal(eve?.updated_at, at(5));
      assert.equal(await r.users.activeAdminCount(), 1);
      assert.equal(await r.users.activeUsersBesides('default'), 1);
      assert.equal(await r.users.activeUsersBesides('bob'), 1);
    });

    it('beforeInsert refuses every insert, alone or with a token', async (r) => {
      r.users.beforeInsert = () => {
        throw new Error('refused');
      };
      await assert.rejects(r.users.insertUser(person('bob')), /refused/);
      await assert.rejects(
        r.users.insertUserWithToken(person('carol'), { token_id: 't1', user_id: 'carol', name: 'first', hash: 'h1', created_at: at(0) }),
        /refused/,
      );
      assert.equal(await r.users.user('bob'), undefined);
      assert.equal(await r.users.user('carol'), undefined);
      assert.equal(await r.users.token('t1'), undefined);
    });

    it('insertUserWithToken stores both or neither', async (r) => {
      await r.users.insertUserWithToken(person('bob'), { token_id: 't1', user_id: 'bob', name: 'first', hash: 'h1', created_at: at(0) });
      assert.equal((await r.users.token('t1'))?.user_id, 'bob');
      // a hash taken already: the token fails, and the user goes with it
      await assert.rejects(
        r.users.insertUserWithToken(person('carol'), { token_id: 't2', user_id: 'carol', name: 'first', hash: 'h1', created_at: at(0) }),
      );
      assert.equal(await r.users.user('carol'), undefined);
    });

    it('tokens: by hash (never the hash back), by id, a user’s oldest first; revoke once; revoke all; touch; disableUser', async (r) => {
      await r.users.insertUser(person('bob'));
      await r.users.insertToken({ token_id: 'tb', user_id: 'bob', name: 'b', hash: 'hash-b', created_at: at(2) });
      await r.users.insertToken({ token_id: 'ta', user_id: 'bob', name: 'a', hash: 'hash-a', created_at: at(1) });
      await r.users.insertToken({ token_id: 'tc', user_id: 'bob', name: 'c', hash: 'hash-c', created_at: at(3) });
      const a = await r.users.tokenByHash('hash-a');
      assert.deepEqual(a, { token_id: 'ta', user_id: 'bob', name: 'a', created_at: at(1), last_used_at: null, revoked_at: null });
      assert.equal(await r.users.tokenByHash('nope'), undefined);
      assert.deepEqual(
        (await r.users.tokensOf('bob')).map((t) => t.token_id),
        ['ta', 'tb', 'tc'],
      );
      assert.equal(await r.users.revokeToken('ta', at(5)), true);
      assert.equal(await r.users.revokeToken('ta', at(6)), false, 'already revoked');
      assert.equal(await r.users.revokeToken('nope', at(6)), false);
      assert.equal((await r.users.token('ta'))?.revoked_at, at(5));
      await r.users.touchToken('tb', at(7));
      assert.equal((await r.users.token('tb'))?.last_used_at, at(7));
      assert.equal(await r.users.revokeTokensOf('bob', at(8)), 2);
      assert.equal(await r.users.revokeTokensOf('bob', at(9)), 0);
      await r.users.insertToken({ token_id: 'td', user_id: 'bob', name: 'd', hash: 'hash-d', created_at: at(10) });
      assert.equal(await r.users.disableUser('bob', at(11)), 1);
      const bob = await r.users.user('bob');
      assert.equal(bob?.disabled, true);
      assert.equal(bob?.updated_at, at(11));
      assert.equal((await r.users.token('td'))?.revoked_at, at(11));
      assert.equal((await r.users.token('ta'))?.revoked_at, at(5), 'an earlier revocation keeps its time');
    });
  });

  describe(`${engine.name}: browser sign-ins`, () => {
    it('insert, get, a user’s live ones newest first, touch, delete', async (r) => {
      await r.webSessions.insert(signIn('h1', { created_at: at(1) }));
      await r.webSessions.insert(signIn('h2', { created_at: at(2), credential: 'token:t1', user_agent: 'Firefox' }));
      await r.webSessions.insert(signIn('h3', { created_at: at(3), expires_at: at(10) }));
      await r.webSessions.insert(signIn('h4', { user_id: 'bob' }));
      assert.equal((await r.webSessions.get('h2'))?.user_agent, 'Firefox');
      assert.equal(await r.webSessions.get('nope'), undefined);
      assert.deepEqual(
        (await r.webSessions.of('alice', at(5))).map((w) => w.token_hash),
        ['h3', 'h2', 'h1'],
      );
      assert.deepEqual(
        (await r.webSessions.of('alice', at(10))).map((w) => w.token_hash),
        ['h2', 'h1'],
        'expired at its expiry time',
      );
      await r.webSessions.touch('h1', at(4));
      assert.equal((await r.webSessions.get('h1'))?.last_used_at, at(4));
      assert.equal(await r.webSessions.delete('h1'), true);
      assert.equal(await r.webSessions.delete('h1'), false);
    });

    it('deletes by user, by credential, key sign-ins of another key; expired rows go', async (r) => {
      await r.webSessions.insert(signIn('a1'));
      await r.webSessions.insert(signIn('a2', { credential: 'token:t1', via: 'token' }));
      await r.webSessions.insert(signIn('k-old', { user_id: 'default', via: 'key', credential: 'key:old' }));
      await r.webSessions.insert(signIn('k-none', { user_id: 'default', via: 'key', credential: null }));
      await r.webSessions.insert(signIn('k-new', { user_id: 'default', via: 'key', credential: 'key:new' }));
      await r.webSessions.insert(signIn('b1', { user_id: 'bob', expires_at: at(5) }));
      assert.deepEqual(await r.webSessions.deleteByCredential('token:t1'), ['a2']);
      assert.deepEqual(sorted(await r.webSessions.deleteKeySignInsExcept('key:new')), ['k-none', 'k-old']);
      assert.equal((await r.webSessions.get('k-new'))?.via, 'key');
      assert.equal(await r.webSessions.deleteExpired(at(5)), 1);
      assert.equal(await r.webSessions.get('b1'), undefined);
      assert.deepEqual(await r.webSessions.deleteAllOf('alice'), ['a1']);
      assert.deepEqual(await r.webSessions.deleteAllOf('alice'), []);
    });
  });

  describe(`${engine.name}: limits and usage`, () => {
    it('limits: none until set, set replaces, nulls kept', async (r) => {
      assert.equal(await r.limits.get('bob'), undefined);
      await r.limits.set({ user_id: 'bob', max_sessions: 2, monthly_budget_usd: 5.5 });
      await r.limits.set({ user_id: 'bob', max_sessions: null, monthly_budget_usd: 7.25 });
      assert.deepEqual(await r.limits.get('bob'), { user_id: 'bob', max_sessions: null, monthly_budget_usd: 7.25 });
    });

    it('usage: the user’s turns by end time and sessions by creation time, in sums and per UTC day; known users', async (r) => {
      const s1 = sid();
      const s2 = sid();
      const other = sid();
      await r.sessions.save(meta({ session_id: s1, user_id: 'bob', created_at: '2026-03-01T23:30:00.000Z' }));
      await r.sessions.save(meta({ session_id: s2, user_id: 'bob', created_at: '2026-03-03T08:00:00.000Z' }));
      await r.sessions.save(meta({ session_id: other, user_id: 'carol', created_at: '2026-03-01T09:00:00.000Z' }));
      const t = (session_id: string, ended_at: string, cost_usd: number): TurnRecord => ({ ...turn(session_id, 0, cost_usd), ended_at });
      await r.sessions.recordTurn(t(s1, '2026-03-01T23:59:00.000Z', 0.1));
      await r.sessions.recordTurn(t(s1, '2026-03-02T00:01:00.000Z', 0.2));
      await r.sessions.recordTurn(t(s2, '2026-03-03T09:00:00.000Z', 0.4));
      await r.sessions.recordTurn(t(other, '2026-03-02T09:00:00.000Z', 5));
      await r.limits.set({ user_id: 'dave', max_sessions: 1, monthly_budget_usd: null });
      const close = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-9, `${x} ≈ ${y}`);
      close(await r.limits.costSince('bob', '2026-03-02T00:00:00.000Z'), 0.6);
      close(await r.limits.costSince('bob', ''), 0.7);
      assert.equal(await r.limits.costSince('nobody', ''), 0);
      const u = await r.limits.usageSince('bob', '2026-03-02T00:00:00.000Z');
      assert.equal(u.sessions, 1);
      assert.equal(u.turns, 2);
      close(u.cost_usd, 0.6);
      assert.deepEqual(await r.limits.usageSince('nobody', ''), { sessions: 0, turns: 0, cost_usd: 0 });
      const days = await r.limits.usageByDay('bob', '');
      assert.deepEqual(
        days.map((d) => [d.day, d.sessions, d.turns]),
        [
          ['2026-03-01', 1, 1],
          ['2026-03-02', 0, 1],
          ['2026-03-03', 1, 1],
        ],
      );
      close(days[1]?.cost_usd ?? 0, 0.2);
      assert.deepEqual(await r.limits.knownUsers(), ['bob', 'carol', 'dave']);
    });
  });

  describe(`${engine.name}: audit log`, () => {
    const entry = (
      over: Partial<{ at: string; actor_user_id: string; action: string; target_user_id: string | null; session_id: string | null }>,
    ) => ({
      at: at(0),
      actor_user_id: 'alice',
      action: 'session.created',
      target_user_id: null,
      session_id: null,
      detail: '{"k":1}',
      ...over,
    });

    it('ids increase with each append; pages newest first with filters and a cursor', async (r) => {
      const ids: number[] = [];
      ids.push(await r.audit.append(entry({ at: at(1) })));
      ids.push(await r.audit.append(entry({ at: at(2), actor_user_id: 'bob', target_user_id: 'alice', action: 'user.changed' })));
      ids.push(await r.audit.append(entry({ at: at(3), session_id: 's1' })));
      ids.push(await r.audit.append(entry({ at: at(4), actor_user_id: 'carol' })));
      assert.ok(
        ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)),
        `increasing: ${ids}`,
      );
      const all = await r.audit.query({ limit: 10 });
      assert.deepEqual(
        all.map((e) => e.id),
        [...ids].reverse(),
      );
      assert.deepEqual(all.at(-1), { id: ids[0], ...entry({ at: at(1) }) });
      const q = async (f: Parameters<Repositories['audit']['query']>[0]) => (await r.audit.query(f)).map((e) => e.id);
      assert.deepEqual(await q({ limit: 10, user_id: 'alice' }), [ids[2], ids[1], ids[0]], 'actor or target');
      assert.deepEqual(await q({ limit: 10, action: 'user.changed' }), [ids[1]]);
      assert.deepEqual(await q({ limit: 10, session_id: 's1' }), [ids[2]]);
      assert.deepEqual(await q({ limit: 10, since: at(2), until: at(4) }), [ids[2], ids[1]]);
      assert.deepEqual(await q({ limit: 2 }), [ids[3], ids[2]]);
      assert.deepEqual(await q({ limit: 2, before_id: ids[2] as number }), [ids[1], ids[0]]);
    });

    it('append-only: the engine refuses UPDATE and DELETE of the log, whoever asks', async (r) => {
      await r.audit.append(entry({}));
      await assert.rejects(engine.exec(r, "UPDATE audit_log SET actor_user_id = 'someone-else'"), /append-only/);
      await assert.rejects(engine.exec(r, 'DELETE FROM audit_log'), /append-only/);
      const rows = await r.audit.query({ limit: 10 });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.actor_user_id, 'alice');
    });
  });

  describe(`${engine.name}: archive and delete`, () => {
    it('archive sets and clears archived_at; delete removes every row of the session and nothing else', async (r) => {
      const a = await conversation(r, [user('wombat here')], { title: 'Wombat notes' });
      const b = await conversation(r, [user('wombat there')]);
      await r.sessions.recordTurn(turn(a, 1));
      await r.sessions.recordTurn(turn(b, 1));
      await r.workspaces.record(a, '/w/a');
      await r.removals.setArchived(a, at(3));
      assert.equal((await r.sessions.get(a))?.archived_at, at(3));
      await r.removals.setArchived(a, null);
      assert.equal((await r.sessions.get(a))?.archived_at ?? null, null);
      await r.removals.deleteSession(a);
      assert.equal(await r.sessions.get(a), undefined);
      assert.deepEqual(await r.sessions.turnsOf(a), []);
      assert.deepEqual(await r.history.all(a), []);
      assert.equal(await r.history.source(a), undefined);
      assert.equal(await r.workspaces.cwdOf(a), undefined);
      assert.deepEqual(sorted((await r.history.search('wombat')).keys()), [b], 'neither its messages nor its title are found');
      assert.equal((await r.sessions.turnsOf(b)).length, 1);
      assert.equal((await r.history.all(b)).length, 1);
    });
  });

  describe(`${engine.name}: working folders`, () => {
    it('none until recorded; record replaces', async (r) => {
      const id = sid();
      assert.equal(await r.workspaces.cwdOf(id), undefined);
      await r.workspaces.record(id, '/a');
      await r.workspaces.record(id, '/b');
      assert.equal(await r.workspaces.cwdOf(id), '/b');
    });
  });
}
