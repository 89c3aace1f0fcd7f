// Isolation between users: someone else's session answers exactly like an unknown one, on
// every session-scoped REST route and WebSocket message, for members and admins alike
// (admins may only list, see and end others' sessions over REST). Summaries go to the
// owner's sockets only.
//
// THE TABLES BELOW MUST NAME EVERY ROUTE OF REST_ROUTES AND EVERY CLIENT MESSAGE TYPE.
// Adding a route or a message? Add its case here (null only when it does not name a
// session). The type checker and the first test fail until you do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { z } from 'zod';
import { CLIENT_MESSAGE_TYPES, type ClientMessage, ClientMessage as ClientMessageSchema } from '../src/protocol/messages.js';
import { REST_ROUTES } from '../src/protocol/rest-routes.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { createUser, type TestUser } from './helpers/users.js';
import type { TestClient } from './helpers/ws-client.js';

interface RestCase {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: (sessionId: string) => string;
  body?: unknown;
  /** An admin may do this to anyone's session (REST only): detail and ending it. */
  adminMay?: boolean;
}

/** Every REST route; null: it does not name a session. */
const REST_CASES: Record<keyof typeof REST_ROUTES, RestCase | null> = {
  healthLive: null,
  healthReady: null,
  listSessions: null, // own sessions only: checked below
  createSession: null,
  getSession: { method: 'GET', path: (id) => `/api/v1/sessions/${id}`, adminMay: true },
  deleteSession: { method: 'DELETE', path: (id) => `/api/v1/sessions/${id}`, adminMay: true },
  patchSession: { method: 'PATCH', path: (id) => `/api/v1/sessions/${id}`, body: { title: 'taken over' } },
  archiveSession: { method: 'POST', path: (id) => `/api/v1/sessions/${id}/archive` },
  unarchiveSession: { method: 'POST', path: (id) => `/api/v1/sessions/${id}/unarchive` },
  purgeSession: { method: 'POST', path: (id) => `/api/v1/sessions/${id}/delete` }, // owner only, admins too (decisions.md)
  getAttachment: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/attachments/00000000-0000-4000-8000-000000000000.0` },
  exportSession: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/export?format=json` },
  extensions: null,
  audit: null,
  listReplicas: null, // admins only, names no session: replicas.test.ts
  me: null,
  listUsers: null,
  createUser: null,
  updateUser: null,
  deleteUser: null,
  listMyTokens: null,
  listMySignIns: null, // user-scoped: test/sign-ins.test.ts
  endMySignIns: null,
  endMySignIn: null,
  listUserSignIns: null,
  endUserSignIns: null,
  createMyToken: null,
  deleteMyToken: null,
  listUserTokens: null,
  createUserToken: null,
  deleteUserToken: null,
  setUserLimits: null, // admins only: limits.test.ts
  usage: null, // a member's own figures only: limits.test.ts
  models: null,
  commands: null,
  forkSession: { method: 'POST', path: (id) => `/api/v1/sessions/${id}/fork`, body: {} },
  rewindFiles: {
    method: 'POST',
    path: (id) => `/api/v1/sessions/${id}/rewind`,
    body: { message_id: '00000000-0000-4000-8000-000000000000', dry_run: true },
  },
  listFiles: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/files?path=` },
  fileContent: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/files/content?path=alice-only.txt` },
  fileArchive: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/files/archive` },
  changes: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/changes` },
  changeDiff: { method: 'GET', path: (id) => `/api/v1/sessions/${id}/changes/diff?path=alice-only.txt` },
  signInState: null,
  signIn: null,
  signOut: null, // sign-in routes name no session
};

/**
 * Every client message; null: it does not name a session. A session-scoped one sent by
 * another user (member or admin) must get the same error frame as for an unknown session.
 * permission_response names a request, not a session: its own test below.
 */
const WS_CASES: Record<ClientMessage['type'], ((sessionId: string) => Record<string, unknown>) | null | 'by-request-id'> = {
  user_message: (id) => ({ type: 'user_message', session_id: id, text: 'let me in' }),
  interrupt: (id) => ({ type: 'interrupt', session_id: id }),
  create_session: null,
  switch_session: (id) => ({ type: 'switch_session', session_id: id }),
  destroy_session: (id) => ({ type: 'destroy_session', session_id: id }),
  permission_response: 'by-request-id',
  set_session_options: (id) => ({ type: 'set_session_options', session_id: id, permission_mode: 'acceptEdits' }),
  load_history: (id) => ({ type: 'load_history', session_id: id, before: 1000 }),
};

const GHOST = '00000000-0000-4000-8000-00000000beef';

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let aliceWs: TestClient;
let bobWs: TestClient;
let adminWs: TestClient;
let sid: string;
let requestId: string;
before(async () => {
  h = await startHarness({ PERMISSION_MODE: 'default', PERMISSION_TIMEOUT_SECONDS: '120', AUTH_FAILURES_PER_MINUTE: '1000' });
  alice = await createUser(h, 'Alice');
  bob = await createUser(h, 'Bob');
  aliceWs = await alice.client();
  bobWs = await bob.client();
  adminWs = await h.client();
  sid = await aliceWs.createSession();
  // Alice's turn waits on a permission question for the whole of the WebSocket checks, so an
  // interrupt or an answer that got through would show.
  h.model.enqueue(sid, { kind: 'tool_use', name: 'Bash', input: { command: 'touch alice-only.txt && echo alice-only' } });
  aliceWs.send({ type: 'user_message', session_id: sid, text: 'run it' });
  requestId = (await aliceWs.next('permission_request')).request_id;
});
after(async () => {
  await alice?.close();
  await bob?.close();
  await h.close();
});

describe('isolation', () => {
  test('the tables name every REST route and client message, and every one that names a session has a case', () => {
    assert.deepEqual(Object.keys(REST_CASES).sort(), Object.keys(REST_ROUTES).sort());
    for (const [name, route] of Object.entries(REST_ROUTES)) {
      const id = 'params' in route ? ((route.params as z.ZodObject).shape.id as z.ZodType | undefined) : undefined;
      const namesSession = id?.safeParse(GHOST).success === true && !id.safeParse('default').success;
      if (namesSession) assert.ok(REST_CASES[name as keyof typeof REST_ROUTES], `${name} names a session: it needs a case`);
    }
    assert.deepEqual(Object.keys(WS_CASES).sort(), [...CLIENT_MESSAGE_TYPES].sort());
    for (const option of ClientMessageSchema.options) {
      const type = option.shape.type.value;
      if ('session_id' in option.shape) assert.equal(typeof WS_CASES[type], 'function', `${type} names a session: it needs a case`);
    }
  });

  test("REST: another user's session answers exactly like an unknown one (members; admins where they may not act)", async () => {
    for (const [name, c] of Object.entries(REST_CASES)) {
      if (!c) continue;
      type Call = (m: string, p: string, b?: unknown) => ReturnType<Harness['api']>;
      const callers: [string, Call][] = [['member', bob.api]];
      if (!c.adminMay) callers.push(['admin', (m, p, b) => h.api(m, p, b)]);
      for (const [who, call] of callers) {
        const theirs = await call(c.method, c.path(sid), c.body);
        const unknown = await call(c.method, c.path(GHOST), c.body);
        assert.equal(theirs.status, 404, `${name} as ${who}: ${JSON.stringify(theirs.body)}`);
        assert.deepEqual(theirs, unknown, `${name} as ${who}: answered differently from an unknown session`);
      }
    }
    const own = await alice.api('GET', `/api/v1/sessions/${sid}`);
    assert.equal(own.status, 200);
    assert.equal(own.body.status, 'active', 'still mid-turn');
    assert.notEqual(own.body.title, 'taken over');
  });

  test("WS: another user's session answers exactly like an unknown one, and nothing reaches it", async () => {
    const modelCalls = h.model.requestsFor(sid).length;
    for (const [type, make] of Object.entries(WS_CASES)) {
      if (typeof make !== 'function') continue;
      for (const [who, ws] of [
        ['member', bobWs],
        ['admin', adminWs],
      ] as const) {
        ws.send(make(sid));
        const theirs = await ws.next('error');
        ws.send(make(GHOST));
        const unknown = await ws.next('error');
        assert.equal(theirs.code, 'session_not_found', `${type} as ${who}: ${JSON.stringify(theirs)}`);
        assert.deepEqual(
          { code: theirs.code, message: theirs.message, session_id: theirs.session_id },
          { code: unknown.code, message: unknown.message, session_id: sid },
          `${type} as ${who}`,
        );
        assert.equal(unknown.session_id, GHOST);
      }
    }
    for (const ws of [bobWs, adminWs]) {
      assert.ok(!ws.frames.some((f) => f.type === 'session_history'), 'no history of her session');
      assert.ok(!ws.frames.some((f) => 'session_id' in f && f.session_id === sid && f.type !== 'error'), 'no frame of her session');
    }
    assert.equal(h.model.requestsFor(sid).length, modelCalls, 'no message reached her model');
  });

  test("WS: an answer to another user's permission question is refused like an unknown request; hers still counts", async () => {
    for (const ws of [bobWs, adminWs]) {
      ws.send({ type: 'permission_response', request_id: requestId, decision: 'deny' });
      const theirs = await ws.next('error');
      ws.send({ type: 'permission_response', request_id: 'no-such-request', decision: 'deny' });
      const unknown = await ws.next('error');
      assert.deepEqual({ ...theirs, seq: 0 }, { ...unknown, seq: 0 });
      assert.equal(theirs.code, 'invalid_message');
    }
    aliceWs.send({ type: 'permission_response', request_id: requestId, decision: 'allow' });
    const result = await aliceWs.next('tool_result');
    assert.equal(result.status, 'success', 'not interrupted, not denied by anyone else');
    assert.match(String(result.result.output), /alice-only/);
    await aliceWs.next('response_complete');
  });

  test("summaries go to the owner's sockets only: session_list, session_updated, GET /sessions", async () => {
    // A round trip on each socket: every frame sent before it has arrived.
    for (const ws of [bobWs, adminWs]) {
      ws.send({ type: 'interrupt', session_id: GHOST });
      await ws.next('error');
      assert.ok(
        !ws.frames.some(
          (f) => (f.type === 'session_updated' && f.session.session_id === sid) || (f.type === 'session_list' && f.sessions.length > 0),
        ),
        'no summary of her session',
      );
    }
    assert.ok(
      aliceWs.frames.some((f) => f.type === 'session_updated' && f.session.session_id === sid && f.session.user_id === alice.user_id),
    );
    const fresh = await bob.client();
    assert.deepEqual(
      fresh.frames.find((f) => f.type === 'session_list'),
      { type: 'session_list', seq: 1, sessions: [] },
    );

    const bobs = await bob.api('POST', '/api/v1/sessions', {});
    const own = (u: (m: string, p: string) => ReturnType<Harness['api']>, q = '') =>
      u('GET', `/api/v1/sessions${q}`).then((r) => r.body.sessions.map((s: { session_id: string }) => s.session_id));
    assert.deepEqual(await own(alice.api), [sid]);
    assert.deepEqual(await own(bob.api), [bobs.body.session_id]);
    assert.deepEqual(await own((m, p) => h.api(m, p)), [], 'an admin lists their own by default');
    const all = await h.api('GET', '/api/v1/sessions?all=true');
    const owners = new Map(all.body.sessions.map((s: { session_id: string; user_id: string }) => [s.session_id, s.user_id]));
    assert.equal(owners.get(sid), alice.user_id);
    assert.equal(owners.get(bobs.body.session_id), bob.user_id);
    assert.equal((await h.api('GET', '/api/v1/sessions?all=maybe')).status, 400);
    // Search and pages: the caller's own sessions only (her title is her first message, "run it").
    assert.deepEqual(await own(alice.api, '?q=run'), [sid]);
    assert.deepEqual(await own(bob.api, '?q=run'), [], 'a member never finds hers');
    assert.deepEqual(await own((m, p) => h.api(m, p), '?q=run'), [], 'nor an admin without all');
    assert.deepEqual(await own(bob.api, '?limit=1'), [bobs.body.session_id]);
    const denied = await bob.api('GET', '/api/v1/sessions?all=true');
    assert.equal(denied.status, 403);
    await bob.api('DELETE', `/api/v1/sessions/${bobs.body.session_id}`);
  });

  test("an admin sees the detail of anyone's session and may end it; the owner is told", async () => {
    const detail = await h.api('GET', `/api/v1/sessions/${sid}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.user_id, alice.user_id);
    const ended = await h.api('DELETE', `/api/v1/sessions/${sid}`);
    assert.deepEqual(ended.body, { session_id: sid, status: 'terminated', reason: 'admin_requested' });
    const told = await aliceWs.next('session_terminated', (f) => f.session_id === sid);
    assert.equal(told.reason, 'admin_requested');
    assert.equal(told.message, 'Session ended by an administrator.');
  });
});
