// Attachments end to end: real server, real CLI, scripted model. Images reach the model as
// image blocks, PDFs as document blocks, text files inline; limits and bad types are refused
// with their error before anything happens; history shows them again and the owner can fetch them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');
const TEXT = Buffer.from('const answer = 42;\n').toString('base64');

let h: Harness;
before(async () => {
  h = await startHarness({ ATTACHMENT_MAX_FILE_MB: '1', ATTACHMENT_MAX_MESSAGE_MB: '2', ATTACHMENT_MAX_FILES: '3' });
});
after(async () => {
  await h.close();
});

interface Block {
  type: string;
  text?: string;
  title?: string;
  source?: { type: string; media_type: string; data: string };
}

describe('attachments', () => {
  let sid = '';
  let liveIds: (string | undefined)[] = [];
  test('an image, a PDF and a text file reach the model as image, document and text blocks', async () => {
    const c = await h.client();
    sid = await c.createSession();
    c.send({
      type: 'user_message',
      session_id: sid,
      text: 'say: got them',
      attachments: [
        { name: 'dot.png', media_type: 'image/png', data: PNG },
        { name: 'tiny.pdf', media_type: 'application/pdf', data: PDF },
        { name: 'answer.ts', media_type: 'text/typescript', data: TEXT },
      ],
    });
    const started = await c.next('turn_started');
    // Named at once by the ids they are kept under (<message id>.<block>: text, marker, image, marker, PDF, text file).
    const mid = started.message_id;
    assert.ok(mid);
    assert.deepEqual(started.attachments, [
      { name: 'dot.png', media_type: 'image/png', size: Buffer.from(PNG, 'base64').length, id: `${mid}.2` },
      { name: 'tiny.pdf', media_type: 'application/pdf', size: Buffer.from(PDF, 'base64').length, id: `${mid}.4` },
      { name: 'answer.ts', media_type: 'text/typescript', size: 19, id: `${mid}.5` },
    ]);
    liveIds = (started.attachments ?? []).map((a) => a.id);
    await c.next('response_complete', undefined, 60_000);
    const req = await h.model.waitForRequest((r) => r.sessionId === sid && r.stream && r.lastUserText.startsWith('say: got them'));
    const messages = req.body.messages as { role: string; content: Block[] | string }[];
    const last = messages.filter((m) => m.role === 'user').at(-1);
    assert.ok(last && Array.isArray(last.content), 'the message is sent as content blocks');
    const blocks = last.content as Block[];
    const image = blocks.find((b) => b.type === 'image');
    assert.equal(image?.source?.type, 'base64');
    assert.equal(image?.source?.media_type, 'image/png');
    const doc = blocks.find((b) => b.type === 'document');
    assert.equal(doc?.source?.media_type, 'application/pdf');
    assert.equal(doc?.source?.data, PDF);
    const texts = blocks.filter((b) => b.type === 'text').map((b) => (b.text ?? '').trimEnd()); // the CLI may end the last with a newline
    assert.ok(texts.includes('say: got them'), JSON.stringify(texts));
    assert.ok(texts.includes('<attachment name="dot.png" media_type="image/png" />'), JSON.stringify(texts));
    assert.ok(
      texts.includes('<attachment name="answer.ts" media_type="text/typescript">\nconst answer = 42;\n\n</attachment>'),
      JSON.stringify(texts),
    );
    await c.close();
  });

  test('history shows the attachments again, and only a key holder can fetch their bytes', async () => {
    const c = await h.client();
    c.send({ type: 'switch_session', session_id: sid });
    const hist = await c.next('session_history');
    const user = hist.messages.find((m) => m.type === 'user');
    assert.ok(user && user.type === 'user');
    assert.equal(user.text, 'say: got them');
    const refs = user.attachments ?? [];
    assert.deepEqual(
      refs.map((r) => [r.name, r.media_type]),
      [
        ['dot.png', 'image/png'],
        ['tiny.pdf', 'application/pdf'],
        ['answer.ts', 'text/typescript'],
      ],
    );
    // The ids of the live turn_started are those of the history: a page reloaded mid-turn fetches the same files.
    assert.deepEqual(
      refs.map((r) => r.id),
      liveIds,
    );
    const png = refs[0];
    assert.ok(png?.id);
    const url = `${h.url}/api/v1/sessions/${sid}/attachments/${png.id}`;
    const res = await fetch(url, { headers: { 'X-API-Key': h.key } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    const text = await fetch(`${h.url}/api/v1/sessions/${sid}/attachments/${refs[2]?.id}`, { headers: { 'X-API-Key': h.key } });
    assert.equal(await text.text(), 'const answer = 42;\n');
    const fetched = (await h.api('GET', `/api/v1/audit?session_id=${sid}&action=attachment.fetched`)).body.entries;
    assert.deepEqual(fetched.map((e: { detail: unknown }) => e.detail).reverse(), [
      { attachment_id: png.id },
      { attachment_id: refs[2]?.id },
    ]);
    // no key, another session, an id that names nothing: refused or not found
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { 'X-API-Key': 'wrong-key-0123456789' } })).status, 401);
    // another user (a member with their own token) gets the same 404 as for an unknown session
    const member = await h.api('POST', '/api/v1/users', { name: 'mallory', role: 'member' });
    assert.equal(member.status, 201, JSON.stringify(member.body));
    const token = (member.body as { token: string }).token;
    const theirs = await fetch(url, { headers: { 'X-API-Key': token } });
    assert.equal(theirs.status, 404);
    assert.deepEqual(await theirs.json(), { error: 'not_found', message: 'Session not found' });
    const other = await c.createSession();
    assert.equal((await h.api('GET', `/api/v1/sessions/${other}/attachments/${png.id}`)).status, 404);
    assert.equal((await h.api('GET', `/api/v1/sessions/${sid}/attachments/not-an-id`)).status, 404);
    assert.equal((await h.api('GET', `/api/v1/sessions/${sid}/attachments/${png.id?.replace(/\.\d+$/, '.0')}`)).status, 404);
    await c.close();
  });

  test('over a limit, an unsupported type or a file that is not what it says: an error naming it, and nothing lost', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const big = Buffer.alloc(1024 * 1024 + 10);
    Buffer.from(PNG, 'base64').copy(big);
    const cases: [Record<string, unknown>[], string, RegExp][] = [
      [
        [{ name: 'big.png', media_type: 'image/png', data: big.toString('base64') }],
        'attachment_too_large',
        /^big\.png is 1\.0 MB; the limit is 1\.0 MB per file$/,
      ],
      [
        [0, 1, 2].map((i) => ({ name: `p${i}.png`, media_type: 'image/png', data: big.subarray(0, 800_000).toString('base64') })),
        'attachment_too_large',
        /^The attachments total 2\.3 MB; the limit is 2\.0 MB per message$/,
      ],
      [
        [0, 1, 2, 3].map((i) => ({ name: `t${i}.txt`, media_type: 'text/plain', data: TEXT })),
        'attachment_too_large',
        /at most 3 attachments/,
      ],
      [[{ name: 'x.svg', media_type: 'image/svg+xml', data: TEXT }], 'unsupported_attachment', /^x\.svg: image\/svg\+xml is not supported/],
      [[{ name: 'fake.png', media_type: 'image/png', data: TEXT }], 'unsupported_attachment', /^fake\.png is not a valid image\/png file$/],
      [
        [{ name: 'bin.txt', media_type: 'text/plain', data: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') }],
        'unsupported_attachment',
        /not UTF-8/,
      ],
    ];
    for (const [attachments, code, message] of cases) {
      c.send({ type: 'user_message', session_id: id, text: 'say: never', attachments });
      const err = await c.next('error');
      assert.equal(err.code, code);
      assert.match(err.message, message);
      assert.equal(err.session_id, id);
    }
    assert.ok(!c.frames.some((f) => f.type === 'message_received' || f.type === 'turn_started'), 'no refused message started a turn');
    // base64 that is not base64 is a validation error of the field
    c.send({ type: 'user_message', session_id: id, text: 'say: x', attachments: [{ name: 'a', media_type: 'text/plain', data: '***' }] });
    const bad = await c.next('error');
    assert.equal(bad.code, 'invalid_message');
    assert.match(bad.message, /attachments\.0\.data/);
    // the session is untouched and takes the next message
    const detail = await h.api('GET', `/api/v1/sessions/${id}`);
    assert.equal((detail.body as { message_count: number }).message_count, 0);
    c.send({
      type: 'user_message',
      session_id: id,
      text: 'say: still here',
      attachments: [{ name: 'ok.png', media_type: 'image/png', data: PNG }],
    });
    await c.next('response_complete', undefined, 60_000);
    assert.equal(h.model.requests.filter((r) => r.lastUserText.startsWith('say: never')).length, 0);
    await c.close();
  });
});
