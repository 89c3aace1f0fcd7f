// Users and tokens, browser sign-ins, limits and usage, the audit log (the repository contract: test/helpers/repository-contract.ts).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Repositories, TurnRecord } from '../../src/db/ports.js';
import { at, type Case, type Engine, meta, person, sid, signIn, sorted, turn } from './repository-fixtures.js';

export function accountCases(engine: Engine, it: Case): void {
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
}
