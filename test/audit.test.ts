// The audit log: append-only in the database (triggers refuse UPDATE and DELETE), one entry per
// session event and per permission decision with no secret in it, and GET /api/v1/audit with
// filters and paging. Real server, real CLI, scripted model.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { maskSecrets, summarizeToolInput } from '../src/core/accounting/audit-log.js';
import type { AuditEntry } from '../src/protocol/accounting.js';
import { sqliteDatabase } from '../src/testing/sqlite-database.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { createUser } from './helpers/users.js';
import type { TestClient } from './helpers/ws-client.js';

let h: Harness;
let c: TestClient;
before(async () => {
  h = await startHarness({ PERMISSION_MODE: 'default', PERMISSION_TIMEOUT_SECONDS: '30' });
  c = await h.client();
});
after(() => h.close());

async function audit(query = ''): Promise<{ entries: AuditEntry[]; next_cursor: string | null }> {
  const r = await h.api('GET', `/api/v1/audit${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

describe('audit log', () => {
  test('append-only: the database refuses to change or remove an entry', async () => {
    h.built.audit.record({ actor_user_id: 'default', action: 'limits.changed', target_user_id: 'default', detail: { max_sessions: 1 } });
    await h.built.audit.settled();
    const db = sqliteDatabase(h.built.repos);
    assert.throws(() => db.prepare("UPDATE audit_log SET actor_user_id = 'someone-else'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /append-only/);
    const n = (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    assert.ok(n >= 1);
    assert.equal((db.prepare("SELECT count(*) AS n FROM audit_log WHERE actor_user_id = 'someone-else'").get() as { n: number }).n, 0);
  });

  test('session created, permission decisions (allow, deny, always, by rule) without secrets, destroyed, resumed', async () => {
    const id = await c.createSession();
    const secret = 'sk-ant-abcdef0123456789abcdef';
    const ask = async (command: string, decision: 'allow' | 'deny' | 'allow_always') => {
      h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command } });
      c.send({ type: 'user_message', session_id: id, text: `run ${decision}` });
      const req = await c.next('permission_request', (f) => f.session_id === id);
      c.send({ type: 'permission_response', request_id: req.request_id, decision });
      await c.next('response_complete', (f) => f.session_id === id);
      return req.request_id;
    };
    const allowed = await ask(`touch one.txt; curl -s -H "Authorization: Bearer ${secret}" http://127.0.0.1:9/`, 'allow');
    const denied = await ask('touch two.txt', 'deny');
    await ask('touch three.txt', 'allow_always');
    // The rule "Always allow" grants covers the command shown, exactly (a touch of another file asks again).
    h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch three.txt' } });
    await c.turn(id, 'run by rule');

    const decisions = (await audit(`?session_id=${id}&action=permission.decided`)).entries.reverse();
    assert.deepEqual(
      decisions.map((e) => [e.detail.decision, e.detail.tool]),
      [
        ['allow', 'Bash'],
        ['deny', 'Bash'],
        ['allow_always', 'Bash'],
        ['by_rule', 'Bash'],
      ],
    );
    assert.equal(decisions[0]?.detail.request_id, allowed);
    assert.equal(decisions[1]?.detail.request_id, denied);
    assert.equal(decisions[3]?.detail.input, 'touch three.txt');
    for (const e of decisions) {
      assert.equal(e.actor_user_id, 'default');
      assert.equal(e.session_id, id);
    }
    const all = JSON.stringify((await audit()).entries);
    assert.ok(!all.includes(secret), 'no secret of a tool input reaches the audit log');
    assert.equal(decisions[0]?.detail.input, 'touch one.txt; curl -s -H "Authorization: Bearer ***" http://127.0.0.1:9/');

    c.send({ type: 'destroy_session', session_id: id });
    await c.next('session_terminated', (f) => f.session_id === id);
    c.send({ type: 'switch_session', session_id: id });
    await c.next('session_updated', (f) => f.session.session_id === id && f.session.status === 'idle');

    const kinds = (await audit(`?session_id=${id}`)).entries.map((e) => e.action).reverse();
    assert.equal(kinds[0], 'session.created');
    assert.deepEqual(kinds.slice(-2), ['session.destroyed', 'session.resumed']);
    const destroyed = (await audit(`?session_id=${id}&action=session.destroyed`)).entries[0];
    assert.equal(destroyed?.detail.reason, 'user_requested');
    assert.equal(destroyed?.actor_user_id, 'default');
  });

  test('a timed-out request and a turn that ends first are recorded as the system deciding', async () => {
    const id = await c.createSession();
    h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch never.txt' } });
    c.send({ type: 'user_message', session_id: id, text: 'ask and interrupt' });
    await c.next('permission_request', (f) => f.session_id === id);
    c.send({ type: 'interrupt', session_id: id });
    await c.next('stream_interrupted', (f) => f.session_id === id);
    const e = (await audit(`?session_id=${id}&action=permission.decided`)).entries[0];
    assert.equal(e?.detail.decision, 'cancelled');
    assert.equal(e?.actor_user_id, 'system');
    assert.equal(e?.target_user_id, 'default');
  });

  test('filters (action, user, session, since/until) and paging with an opaque cursor', async () => {
    const t0 = new Date().toISOString();
    for (let i = 0; i < 5; i++)
      h.built.audit.record({ actor_user_id: 'admin-x', action: 'user.changed', target_user_id: `u${i}`, detail: { i } });
    const t1 = new Date(Date.now() + 1000).toISOString();
    const page1 = await audit('?action=user.changed&limit=2');
    assert.equal(page1.entries.length, 2);
    assert.deepEqual(
      page1.entries.map((e) => e.detail.i),
      [4, 3],
      'newest first',
    );
    assert.ok(page1.next_cursor);
    const page2 = await audit(`?action=user.changed&limit=2&cursor=${page1.next_cursor}`);
    const page3 = await audit(`?action=user.changed&limit=2&cursor=${page2.next_cursor}`);
    assert.deepEqual(
      [...page2.entries, ...page3.entries].map((e) => e.detail.i),
      [2, 1, 0],
    );
    assert.equal(page3.next_cursor, null);
    // user: the actor or the target
    assert.equal((await audit('?user_id=u3')).entries.length, 1);
    assert.equal((await audit('?user_id=admin-x')).entries.length, 5);
    assert.equal((await audit(`?user_id=admin-x&since=${encodeURIComponent(t0)}&until=${encodeURIComponent(t1)}`)).entries.length, 5);
    assert.equal((await audit(`?user_id=admin-x&until=${encodeURIComponent(t0)}`)).entries.length, 0);
    assert.equal((await audit('?session_id=00000000-0000-4000-8000-000000000000')).entries.length, 0);
  });

  test('bad filters are refused with the one error shape; no key, no log', async () => {
    for (const q of ['?cursor=not-a-cursor', '?limit=0', '?limit=501', '?action=nope', '?since=yesterday', '?extra=1']) {
      const r = await h.api('GET', `/api/v1/audit${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error, 'invalid_message', q);
    }
    assert.equal((await h.api('GET', '/api/v1/audit', undefined, null)).status, 401);
  });

  test('identity and limits events are recorded with who did what to whom; a member cannot read the log', async () => {
    const m = await createUser(h, 'Mallory');
    const token = await m.api('POST', '/api/v1/me/tokens', { name: 'script' });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    assert.equal((await m.api('DELETE', `/api/v1/me/tokens/${token.body.token_id}`)).status, 200);
    assert.equal((await h.api('PATCH', `/api/v1/users/${m.user_id}`, { name: 'Mal' })).status, 200);
    assert.equal((await h.api('PUT', `/api/v1/users/${m.user_id}/limits`, { max_sessions: 2, monthly_budget_usd: 1 })).status, 200);
    // an admin ends a member's session: the admin is the actor, the member the target
    const c = await m.client();
    const sid = await c.createSession();
    assert.equal((await h.api('DELETE', `/api/v1/sessions/${sid}`)).status, 200);

    const refused = await m.api('GET', '/api/v1/audit');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    assert.equal((await h.api('GET', '/api/v1/audit', undefined, 'wrong-key-0123456789')).status, 401);
    assert.equal((await h.api('DELETE', `/api/v1/users/${m.user_id}`)).status, 200);

    const entries = (await audit(`?user_id=${m.user_id}&limit=500`)).entries.reverse();
    const seen = entries.map((e) => [e.action, e.actor_user_id, e.target_user_id]);
    const expect: [string, string, string][] = [
      ['user.created', 'default', m.user_id],
      ['token.created', 'default', m.user_id],
      ['token.created', m.user_id, m.user_id],
      ['token.revoked', m.user_id, m.user_id],
      ['user.changed', 'default', m.user_id],
      ['limits.changed', 'default', m.user_id],
      ['session.destroyed', 'default', m.user_id],
      ['user.disabled', 'default', m.user_id],
    ];
    for (const want of expect)
      assert.ok(
        seen.some((e) => JSON.stringify(e) === JSON.stringify(want)),
        `${want.join(' ')} in ${JSON.stringify(seen)}`,
      );
    assert.deepEqual(entries.find((e) => e.action === 'session.destroyed')?.detail, { reason: 'admin_requested' });
    assert.ok(!JSON.stringify(entries).includes(token.body.token), 'no token secret in the log');
    const failed = (await audit('?action=auth.sign_in_failed')).entries;
    assert.ok(failed.length >= 1, 'the wrong key was recorded');
    await m.close();
  });

  test('rename and export are recorded with who did them', async () => {
    const id = await c.createSession();
    await c.turn(id, 'say: something to export');
    assert.equal((await h.api('PATCH', `/api/v1/sessions/${id}`, { title: 'Quarterly plan' })).status, 200);
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/export?format=json`)).status, 200);
    const renamed = (await audit(`?session_id=${id}&action=session.renamed`)).entries;
    assert.equal(renamed.length, 1);
    assert.equal(renamed[0]?.actor_user_id, 'default');
    assert.deepEqual(renamed[0]?.detail, { title: 'Quarterly plan' });
    const exported = (await audit(`?session_id=${id}&action=session.exported`)).entries;
    assert.deepEqual(exported[0]?.detail, { format: 'json' });
  });

  test('summaries: secrets masked, inputs cut short', () => {
    assert.equal(maskSecrets('curl -H "Authorization: Bearer abc.def" x'), 'curl -H "Authorization: Bearer ***" x');
    assert.equal(maskSecrets('mysql --password hunter2 db'), 'mysql --password *** db');
    assert.equal(maskSecrets('cat tokens.txt'), 'cat tokens.txt');
    // Each way a secret is commonly passed on a command line: [input, what the audit log keeps].
    const table: [string, string][] = [
      ['mysql -uroot -pHunter2 shop', 'mysql -uroot -p*** shop'],
      ['mysqldump -h db -pS3cret! shop > dump.sql', 'mysqldump -h db -p*** shop > dump.sql'],
      ['mkdir -p build && cp -pr a b', 'mkdir -p build && cp -pr a b'],
      ['psql --password=hunter2 -h db', 'psql --password=*** -h db'],
      ['app --db-password hunter2', 'app --db-password ***'],
      ['psql postgres://alice:hunter2@db.example.com/shop', 'psql postgres://alice:***@db.example.com/shop'],
      ['git clone https://bob:ghp_short@github.com/o/r.git', 'git clone https://bob:***@github.com/o/r.git'],
      ['rsync -a . deploy:pw0rd@host:/srv', 'rsync -a . deploy:***@host:/srv'],
      ['sshpass -p hunter2 ssh root@host', 'sshpass -p *** ssh root@host'],
      ['sshpass -phunter2 ssh root@host', 'sshpass -p*** ssh root@host'],
      ['openssl enc -aes-256-cbc -k hunter2 -in a -out b', 'openssl enc -aes-256-cbc -k *** -in a -out b'],
      ['openssl rsa -in k.pem -passin pass:hunter2', 'openssl rsa -in k.pem -passin ***'],
      ['curl -H "Authorization: Bearer abc.def-ghi" https://api', 'curl -H "Authorization: Bearer ***" https://api'],
      ['http https://api Authorization:"Basic dXNlcjpwYXNz"', 'http https://api Authorization:"Basic ***"'],
      ['AWS_SECRET_ACCESS_KEY=wJalrXUt ./deploy', 'AWS_SECRET_ACCESS_KEY=*** ./deploy'],
      ['export GITHUB_TOKEN="ghp_x1"; gh pr list', 'export GITHUB_TOKEN=***; gh pr list'],
      ['STRIPE_SECRET=sk_live_1 node app.js', 'STRIPE_SECRET=*** node app.js'],
      ['MY_API_KEY=abc npm start', 'MY_API_KEY=*** npm start'],
      ['curl "https://x.io/hook?access_token=abc123&page=2"', 'curl "https://x.io/hook?access_token=***&page=2"'],
      ['curl https://s3/x?X-Amz-Signature=deadbeef&X-Amz-Expires=60', 'curl https://s3/x?X-Amz-Signature=***&X-Amz-Expires=60'],
      ['wget "https://h/dl?api_key=k1&sig=s2"', 'wget "https://h/dl?api_key=***&sig=***"'],
      ['echo sk-ant-api03-abcdefgh', 'echo ***'],
      ['ls -la && git status', 'ls -la && git status'],
    ];
    for (const [input, masked] of table) assert.equal(maskSecrets(input), masked, input);
    assert.equal(summarizeToolInput('Write', { file_path: '/p/a.txt', content: 'x'.repeat(5000) }), '/p/a.txt');
    assert.equal(summarizeToolInput('mcp__db__query', { sql: 'select 1', api_key: 'k' }), 'sql=select 1 api_key=***');
    assert.ok(summarizeToolInput('Bash', { command: 'echo '.repeat(200) }).length <= 200);
  });
});
