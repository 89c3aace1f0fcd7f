// Across sessions: titles and rename, search, export, paging of the list and of a conversation.
// Real server, real CLI, scripted model, real SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SessionSummary } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const ghost = '00000000-0000-4000-8000-000000000000';

describe('titles', () => {
  test('the first message names the session; PATCH renames it and every client hears session_updated', async () => {
    const a = await h.client();
    const watcher = await h.client();
    const id = await a.createSession();
    h.model.enqueue(id, { kind: 'text', text: 'Hi.' });
    await a.turn(id, '  Plan   the\nmigration of the billing service to the new queue, with a rollback story and tests for every step  ');
    const listed = (await h.api('GET', '/api/v1/sessions')).body as { sessions: SessionSummary[] };
    const named = listed.sessions.find((s) => s.session_id === id)?.title ?? '';
    assert.ok(named.startsWith('Plan the migration of the billing service'), named);
    assert.ok([...named].length <= 80 && named.endsWith('…'), 'a long first message is cut, and says so');

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
