// Archive and Delete from the session list (issue 18 item 4): real server, real CLI, scripted model.
// Archive hides a session from the list (REST and the WebSocket's session_list) while search still
// finds it, and unarchive restores it. Delete is for good: the live process is stopped first, then the
// row, the stored conversation (search), the attachments and the CLI transcript go. Another user, an
// admin included, gets 404 exactly as for an unknown session; a second delete is 404.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionSummary } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { createUser, type TestUser } from './helpers/users.js';

const TEXT = Buffer.from('zebra facts\n').toString('base64');

let h: Harness;
let bob: TestUser;
before(async () => {
  h = await startHarness();
  bob = await createUser(h, 'bob');
});
after(async () => {
  await bob.close();
  await h.close();
});

const ids = async (q = '') => {
  const r = await h.api('GET', `/api/v1/sessions${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.sessions as SessionSummary[]).map((s) => s.session_id);
};

/** Every file under dir (recursively), or none when it does not exist. */
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : [];

describe('archive', () => {
  test('hides a session from the list and session_list, search and ?archived=true still find it, unarchive restores it', async () => {
    const c = await h.client();
    const kept = await c.createSession();
    await c.turn(kept, 'say: kept here');
    const shelved = await c.createSession();
    await c.turn(shelved, 'say: quokka sightings');
    assert.ok((await ids()).includes(shelved));

    const otherTab = await h.client();
    const r = await h.api('POST', `/api/v1/sessions/${shelved}/archive`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.archived, true);
    // The owner's other tabs hear it at once.
    await otherTab.next('session_updated', (f) => f.session.session_id === shelved && f.session.archived === true);
    assert.deepEqual(
      (await ids()).filter((id) => id === shelved || id === kept),
      [kept],
      'left out of the list',
    );
    assert.deepEqual(await ids('?archived=true'), [shelved], 'listed on its own');
    const found = await h.api('GET', '/api/v1/sessions?q=quokka');
    assert.deepEqual(
      found.body.sessions.map((s: SessionSummary) => [s.session_id, s.archived]),
      [[shelved, true]],
      'search finds it, marked archived',
    );
    const fresh = await h.client();
    const list = fresh.frames.find((f) => f.type === 'session_list') as { sessions: SessionSummary[] } | undefined;
    assert.ok(list, 'a new socket gets session_list');
    assert.ok(!list.sessions.some((s) => s.session_id === shelved), 'session_list leaves it out');
    assert.ok(list.sessions.some((s) => s.session_id === kept));

    for (const action of ['archive', 'unarchive']) {
      assert.equal((await bob.api('POST', `/api/v1/sessions/${shelved}/${action}`)).status, 404, `${action} by another user`);
    }
    const back = await h.api('POST', `/api/v1/sessions/${shelved}/unarchive`);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.archived, false);
    await otherTab.next('session_updated', (f) => f.session.session_id === shelved && f.session.archived === false);
    await otherTab.close();
    assert.ok((await ids()).includes(shelved), 'restored to the list');
    assert.deepEqual(await ids('?archived=true'), []);
    const audit = await h.api('GET', `/api/v1/audit?session_id=${shelved}`);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('session.archived') && actions.includes('session.unarchived'), JSON.stringify(actions));
  });
});

describe('delete', () => {
  test('stops the live process, then removes the row, the stored conversation, the attachments and the transcript', async () => {
    const c = await h.client();
    const sid = await c.createSession();
    c.send({
      type: 'user_message',
      session_id: sid,
      text: 'say: wombat burrows',
      attachments: [{ name: 'notes.txt', media_type: 'text/plain', data: TEXT }],
    });
    await c.next('response_complete', (f) => f.session_id === sid, 60_000);
    const other = await c.createSession();
    await c.turn(other, 'say: wombat elsewhere');

    const detail = await h.api('GET', `/api/v1/sessions/${sid}`);
    const pid = detail.body.subprocess_pid as number;
    assert.ok(pid > 0, 'a live process');
    const transcript = await h.built.manager.transcriptFile(sid);
    assert.ok(transcript && fs.existsSync(transcript), 'the CLI wrote a transcript');
    const attachmentDirs = path.join(path.dirname(h.built.config.databasePath), 'attachments');
    const ofSession = () => filesUnder(attachmentDirs).filter((f) => f.split(path.sep).includes(sid));
    assert.ok(ofSession().length > 0, 'the attachment is stored');
    assert.deepEqual((await ids('?q=wombat')).sort(), [sid, other].sort());

    assert.equal((await bob.api('POST', `/api/v1/sessions/${sid}/delete`)).status, 404, 'another user');
    const otherTab = await h.client();
    const bobTab = await bob.client();
    const r = await h.api('POST', `/api/v1/sessions/${sid}/delete`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { session_id: sid, deleted: true });
    // The owner's other tabs drop it at once; nobody else hears of it.
    await otherTab.next('session_deleted', (f) => f.session_id === sid);
    await otherTab.close();
    bobTab.send({ type: 'interrupt', session_id: sid });
    await bobTab.next('error');
    assert.ok(!bobTab.frames.some((f) => f.type === 'session_deleted'), 'not to another user');
    await bobTab.close();

    assert.throws(() => process.kill(pid, 0), 'the process was stopped');
    assert.equal((await h.api('GET', `/api/v1/sessions/${sid}`)).status, 404, 'no detail');
    assert.ok(!(await ids()).includes(sid), 'not in the list');
    assert.deepEqual(await ids('?q=wombat'), [other], 'its conversation copy is gone from search');
    assert.equal(await h.built.repos.sessions.get(sid), undefined, 'no row');
    assert.deepEqual(await h.built.repos.history.all(sid), [], 'no stored messages');
    assert.equal(await h.built.repos.history.source(sid), undefined);
    assert.ok(!fs.existsSync(transcript), 'transcript removed');
    assert.deepEqual(ofSession(), [], 'attachments removed');
    assert.equal((await h.api('GET', `/api/v1/sessions/${other}`)).status, 200, 'the other session stays');

    const again = await h.api('POST', `/api/v1/sessions/${sid}/delete`);
    assert.equal(again.status, 404, 'a second delete');
    assert.equal(again.body.error, 'not_found');
    const audit = await h.api('GET', `/api/v1/audit?action=session.deleted&session_id=${sid}`);
    assert.equal(audit.body.entries.length, 1);
    assert.equal(audit.body.entries[0].detail.stopped, true);
  });

  test('an ended session is deleted too; DELETE /sessions/{id} still only ends one (the row stays)', async () => {
    const c = await h.client();
    const sid = await c.createSession();
    await c.turn(sid, 'say: ended first');
    const ended = await h.api('DELETE', `/api/v1/sessions/${sid}`);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.status, 'terminated');
    assert.ok((await ids()).includes(sid), 'the row stays after DELETE');
    const r = await h.api('POST', `/api/v1/sessions/${sid}/delete`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!(await ids()).includes(sid));
    assert.equal(await h.built.repos.sessions.get(sid), undefined);
  });
});
