// Expensive authenticated routes (attachments, export, search, fork, rewind, folder zips) are limited per user:
// over the limit 429 rate_limited with Retry-After in the one error shape; another user is not
// affected, and cheap routes (the plain list) are not counted. Real server and CLI, scripted model.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ EXPENSIVE_REQUESTS_PER_MINUTE: '3' });
});
after(() => h.close());

describe('per-user limit on expensive routes', () => {
  test('one user over the limit gets 429 rate_limited with Retry-After; another user is unaffected', async () => {
    const m = await h.api('POST', '/api/v1/users', { name: 'quiet-member', role: 'member' });
    assert.equal(m.status, 201);
    const created = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.session_id as string;
    // export, search, export: three of the admin's budget; the plain list is free
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/export`)).status, 200);
    assert.equal((await h.api('GET', '/api/v1/sessions?q=anything')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await h.api('GET', '/api/v1/sessions')).status, 200, 'a plain list is not counted');
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/export?format=json`)).status, 200);
    const res = await fetch(`${h.url}/api/v1/sessions/${id}/fork`, {
      method: 'POST',
      headers: { 'x-api-key': h.key, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After');
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'rate_limited');
    assert.match(body.message, /at most 3 a minute/);
    assert.equal((await h.api('GET', '/api/v1/sessions?q=again')).status, 429);
    // A folder's zip counts too (it reads every file); listing a folder does not.
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/files?path=`)).status, 200);
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}/files/archive`)).status, 429);
    // The member's budget is their own.
    const token = m.body.token as string;
    for (let i = 0; i < 3; i++) assert.equal((await h.api('GET', '/api/v1/sessions?q=mine', undefined, token)).status, 200);
    assert.equal((await h.api('GET', '/api/v1/sessions?q=mine', undefined, token)).status, 429);
  });
});
