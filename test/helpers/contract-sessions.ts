// Sessions, turns, spawned processes, conversation copies, archive and delete, working folders (the repository contract: test/helpers/repository-contract.ts).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { assistant, at, type Case, conversation, type Engine, meta, sid, sorted, toolResult, turn, user } from './repository-fixtures.js';

export function sessionCases(engine: Engine, it: Case): void {
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
