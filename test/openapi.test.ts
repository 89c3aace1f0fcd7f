// /api/v1/openapi.json: generated from the route schemas, public, and true: live responses of
// every documented route validate against it (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked as plain JSON
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });

before(async () => {
  h = await startHarness({ PREWARM_POOL_SIZE: '1', PERMISSION_MODE: 'default' });
  doc = (await h.api('GET', '/api/v1/openapi.json', undefined, null)).body;
});
after(async () => {
  await h.close();
});

/** Calls a route and checks the answer against the document's schema for that path, method and status. */
async function checked(method: string, path: string, docPath: string, expectStatus: number, body?: unknown, key: string | null = h.key) {
  const r = await h.api(method, path, body, key);
  assert.equal(r.status, expectStatus, JSON.stringify(r.body));
  const op = doc.paths?.[docPath]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${docPath} is not documented`);
  const schema = op.responses?.[String(r.status)]?.content?.['application/json']?.schema;
  assert.ok(schema, `${method} ${docPath} ${r.status} has no documented schema`);
  const validate = ajv.compile(schema);
  assert.ok(validate(r.body), `${method} ${path} ${r.status}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(r.body)}`);
  return r;
}

describe('OpenAPI', () => {
  test('served without a key, OpenAPI 3.1, every REST route and only those', async () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/v1/audit',
      '/api/v1/auth/session',
      '/api/v1/auth/sign-out',
      '/api/v1/commands',
      '/api/v1/extensions',
      '/api/v1/health/live',
      '/api/v1/health/ready',
      '/api/v1/me',
      '/api/v1/me/sign-ins',
      '/api/v1/me/sign-ins/{id}',
      '/api/v1/me/tokens',
      '/api/v1/me/tokens/{id}',
      '/api/v1/models',
      '/api/v1/replicas',
      '/api/v1/sessions',
      '/api/v1/sessions/{id}',
      '/api/v1/sessions/{id}/archive',
      '/api/v1/sessions/{id}/attachments/{attachment_id}',
      '/api/v1/sessions/{id}/changes',
      '/api/v1/sessions/{id}/changes/diff',
      '/api/v1/sessions/{id}/delete',
      '/api/v1/sessions/{id}/export',
      '/api/v1/sessions/{id}/files',
      '/api/v1/sessions/{id}/files/archive',
      '/api/v1/sessions/{id}/files/content',
      '/api/v1/sessions/{id}/fork',
      '/api/v1/sessions/{id}/rewind',
      '/api/v1/sessions/{id}/unarchive',
      '/api/v1/usage',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/users/{id}/limits',
      '/api/v1/users/{id}/sign-ins',
      '/api/v1/users/{id}/tokens',
      '/api/v1/users/{id}/tokens/{token_id}',
    ]);
    assert.deepEqual(doc.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'X-API-Key' });
    // Health is documented as open; everything else needs the key.
    assert.deepEqual(doc.paths['/api/v1/health/live'].get.security, []);
    assert.deepEqual(doc.paths['/api/v1/sessions'].get.security, [{ apiKey: [] }]);
    assert.ok(!JSON.stringify(doc).includes(h.key), 'the document must not carry the key');
  });

  test('live responses of every route validate against the document', async () => {
    await checked('GET', '/api/v1/health/live', '/api/v1/health/live', 200, undefined, null);
    await checked('GET', '/api/v1/health/ready', '/api/v1/health/ready', 200, undefined, null);
    const created = await checked('POST', '/api/v1/sessions', '/api/v1/sessions', 201, {});
    const id = created.body.session_id as string;
    await checked('GET', '/api/v1/sessions', '/api/v1/sessions', 200);
    await checked('GET', `/api/v1/sessions/${id}`, '/api/v1/sessions/{id}', 200);
    await checked('PATCH', `/api/v1/sessions/${id}`, '/api/v1/sessions/{id}', 200, { title: 'Renamed' });
    await checked('PATCH', `/api/v1/sessions/${id}`, '/api/v1/sessions/{id}', 400, { title: '' });
    await checked('GET', '/api/v1/sessions?limit=1', '/api/v1/sessions', 200);
    await checked('GET', '/api/v1/sessions?q=renamed', '/api/v1/sessions', 200);
    await checked('GET', '/api/v1/sessions?limit=0', '/api/v1/sessions', 400);
    await checked('GET', `/api/v1/sessions/${id}/export?format=json`, '/api/v1/sessions/{id}/export', 200);
    await checked('GET', `/api/v1/sessions/${id}/export?format=doc`, '/api/v1/sessions/{id}/export', 400);
    await checked('GET', '/api/v1/extensions', '/api/v1/extensions', 200);
    // the bytes of an attachment are not JSON (attachments.test.ts fetches real ones); its errors are
    await checked('GET', `/api/v1/sessions/${id}/attachments/none`, '/api/v1/sessions/{id}/attachments/{attachment_id}', 404);
    await checked('GET', `/api/v1/sessions/${id}/files?path=`, '/api/v1/sessions/{id}/files', 200);
    await checked('GET', `/api/v1/sessions/${id}/files?path=..`, '/api/v1/sessions/{id}/files', 403);
    await checked('GET', `/api/v1/sessions/${id}/files/content?path=..`, '/api/v1/sessions/{id}/files/content', 403);
    await checked('GET', `/api/v1/sessions/${id}/files/archive?path=..`, '/api/v1/sessions/{id}/files/archive', 403);
    await checked('GET', `/api/v1/sessions/${id}/changes`, '/api/v1/sessions/{id}/changes', 200);
    await checked('GET', `/api/v1/sessions/${id}/changes/diff?path=none.txt`, '/api/v1/sessions/{id}/changes/diff', 200);
    await checked('GET', '/api/v1/models', '/api/v1/models', 200);
    await checked('GET', '/api/v1/commands', '/api/v1/commands', 200);
    // a session without a conversation has nothing to fork; an unknown message cannot be rewound to
    await checked('POST', `/api/v1/sessions/${id}/fork`, '/api/v1/sessions/{id}/fork', 400, {});
    const nowhere = { message_id: '00000000-0000-4000-8000-000000000000', dry_run: true };
    await checked('POST', `/api/v1/sessions/${id}/rewind`, '/api/v1/sessions/{id}/rewind', 200, nowhere);
    await checked('POST', `/api/v1/sessions/${id}/archive`, '/api/v1/sessions/{id}/archive', 200);
    await checked('POST', `/api/v1/sessions/${id}/unarchive`, '/api/v1/sessions/{id}/unarchive', 200);
    await checked('DELETE', `/api/v1/sessions/${id}`, '/api/v1/sessions/{id}', 200);
    const doomed = (await checked('POST', '/api/v1/sessions', '/api/v1/sessions', 201, {})).body.session_id as string;
    await checked('POST', `/api/v1/sessions/${doomed}/delete`, '/api/v1/sessions/{id}/delete', 200);
    await checked('POST', `/api/v1/sessions/${doomed}/delete`, '/api/v1/sessions/{id}/delete', 404);
    const audit = await checked('GET', '/api/v1/audit?limit=1', '/api/v1/audit', 200);
    assert.ok(audit.body.next_cursor, 'created and destroyed: more than one entry');
    await checked('GET', '/api/v1/audit?limit=0', '/api/v1/audit', 400);
    const replicas = await checked('GET', '/api/v1/replicas', '/api/v1/replicas', 200);
    assert.equal(replicas.body.replicas[0].replica_id, h.built.config.replicaId);
    await checked('PUT', '/api/v1/users/default/limits', '/api/v1/users/{id}/limits', 200, { max_sessions: null, monthly_budget_usd: 10 });
    await checked('PUT', '/api/v1/users/default/limits', '/api/v1/users/{id}/limits', 400, { max_sessions: 0, monthly_budget_usd: null });
    await checked('PUT', '/api/v1/users/nobody/limits', '/api/v1/users/{id}/limits', 404, { max_sessions: null, monthly_budget_usd: null });
    const usage = await checked('GET', '/api/v1/usage', '/api/v1/usage', 200);
    assert.ok(usage.body.users.some((u: { user_id: string }) => u.user_id === 'default'));
    await checked('GET', '/api/v1/usage?user_id=nobody', '/api/v1/usage', 404);
    const state = await checked('GET', '/api/v1/auth/session', '/api/v1/auth/session', 200, undefined, null);
    assert.equal(state.body.user, null);
    await checked('GET', '/api/v1/auth/session', '/api/v1/auth/session', 200);
    await checked('POST', '/api/v1/auth/session', '/api/v1/auth/session', 200, { token: h.key }, null);
    await checked('POST', '/api/v1/auth/session', '/api/v1/auth/session', 400, { token: '' }, null);
    await checked('POST', '/api/v1/auth/sign-out', '/api/v1/auth/sign-out', 200, undefined, null);
    // Errors keep their one shape and their documented codes.
    await checked('GET', '/api/v1/sessions', '/api/v1/sessions', 401, undefined, null);
    await checked('POST', '/api/v1/auth/session', '/api/v1/auth/session', 401, { token: 'not-the-key-0123456789' }, null);
    await checked('GET', '/api/v1/sessions/not-a-uuid', '/api/v1/sessions/{id}', 404);
    await checked('DELETE', '/api/v1/sessions/00000000-0000-4000-8000-000000000000', '/api/v1/sessions/{id}', 404);
    await checked('POST', '/api/v1/sessions/00000000-0000-4000-8000-000000000000/fork', '/api/v1/sessions/{id}/fork', 404);
    const bad = await checked('POST', '/api/v1/sessions', '/api/v1/sessions', 400, { extra: 1 });
    assert.deepEqual(bad.body, { error: 'invalid_message', message: 'Unknown field: extra' });
    const mode = await checked('POST', '/api/v1/sessions', '/api/v1/sessions', 403, { permission_mode: 'bypassPermissions' });
    assert.equal(mode.body.error, 'mode_not_allowed');
  });

  test('a POST without a body still creates a session (the body is optional)', async () => {
    const r = await h.api('POST', '/api/v1/sessions');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await h.api('DELETE', `/api/v1/sessions/${r.body.session_id}`);
  });
});
