// Attachments are stored per user in the data folder and served from there as a file stream
// (not re-read from the transcript, not buffered): 8 parallel fetches of a 5 MB attachment grow
// the process's memory by under 100 MB. The server runs in this process (the harness), so the
// figure covers server and client. Deleting a session can remove its attachments.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

describe('attachment store', () => {
  test('stored per user in the data folder and served from there as a stream: 8 parallel fetches of 5 MB grow memory by under 100 MB', async () => {
    const c = await h.client();
    const id = await c.createSession();
    // A 5 MB PNG (the default per-file limit), made of its signature and zeros.
    const big = Buffer.alloc(5 * 1024 * 1024 - 64);
    Buffer.from(PNG, 'base64').copy(big);
    c.send({
      type: 'user_message',
      session_id: id,
      text: 'say: big one',
      attachments: [{ name: 'big.png', media_type: 'image/png', data: big.toString('base64') }],
    });
    await c.next('response_complete', (f) => f.session_id === id, 90_000);
    const dir = path.join(h.dir, 'attachments', 'default', id);
    const stored = fs.readdirSync(dir).filter((f) => !f.endsWith('.type'));
    assert.equal(stored.length, 1, 'kept in the data folder, under its user');
    const attId = stored[0] as string;
    assert.equal(fs.statSync(path.join(dir, attId)).size, big.length);
    assert.equal(fs.statSync(path.join(dir, attId)).mode & 0o077, 0, 'private');
    // Served from the store, not the transcript: a change to the stored file is what comes back.
    const url = `${h.url}/api/v1/sessions/${id}/attachments/${attId}`;
    const drain = async () => {
      const res = await fetch(url, { headers: { 'X-API-Key': h.key } });
      assert.equal(res.status, 200);
      let n = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
      return n;
    };
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    const sizes = await Promise.all(Array.from({ length: 8 }, drain));
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.deepEqual(sizes, Array(8).fill(big.length));
    const grewMb = (peak - before) / 1024 / 1024;
    console.log(`attachments: 8 parallel fetches of ${(big.length / 1024 / 1024).toFixed(1)} MB: rss +${grewMb.toFixed(1)} MB at peak`);
    assert.ok(grewMb < 100, `memory grew ${grewMb.toFixed(1)} MB`);
    fs.writeFileSync(path.join(dir, attId), Buffer.from(PNG, 'base64'));
    const res = await fetch(url, { headers: { 'X-API-Key': h.key } });
    assert.equal(Buffer.from(await res.arrayBuffer()).length, Buffer.from(PNG, 'base64').length, 'the stored file is served');
    // Deleting a session can remove its attachments.
    assert.equal(h.built.attachments.deleteSessionAttachments(id), 1);
    assert.ok(!fs.existsSync(dir));
    await c.close();
  });
});
