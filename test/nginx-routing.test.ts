// deploy/nginx in front of three real replicas, with Debian's nginx on loopback: the session id
// of a REST path and the WebSocket's credential each pin to one replica, other requests spread,
// and a dead replica's keys (only its keys) move to the others. The deploy files are included
// verbatim; the test only writes the wrapper (its own paths, port and replica list).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';
import { NGINX, type Nginx, startNginx } from './helpers/nginx.js';
import { TestClient } from './helpers/ws-client.js';

const UPSTREAM_HEADER = 'x-test-upstream';

/** The replica that answered: the last address nginx tried (after a retry it lists each). */
const lastUpstream = (h: string | string[] | undefined | null) =>
  String(h ?? '')
    .split(',')
    .pop()
    ?.trim() ?? '';

describe('nginx routing (deploy/nginx) in front of three replicas', { skip: NGINX ? false : 'nginx is not installed' }, () => {
  const model = new ScriptedModel();
  const replicas: Harness[] = [];
  const addrs: string[] = [];
  let nginx: Nginx;
  let dir: string;
  const alive = new Set<string>();

  before(async () => {
    await model.start();
    // Every probe below comes from nginx's one address: no per-address budget may refuse them.
    const env = { AUTH_FAILURES_PER_MINUTE: '100000', MAX_SOCKETS_PER_ADDRESS: '1000' };
    for (let i = 0; i < 3; i++) {
      const h = await startHarness(env, { model });
      replicas.push(h);
      addrs.push(new URL(h.url).host);
      alive.add(new URL(h.url).host);
    }
    dir = tempDir('csp-nginx-');
    nginx = await startNginx(dir, addrs);
  });

  after(async () => {
    await nginx?.stop();
    for (const [i, h] of replicas.entries()) if (alive.has(addrs[i] as string)) await h.close();
    await model.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const key = () => replicas[0]?.key as string;

  /** The replica that answered a REST request through nginx (and its status, which must be the replica's own). */
  async function viaRest(method: string, p: string): Promise<string> {
    const r = await fetch(nginx.url + p, { method, headers: { 'X-API-Key': key() } });
    await r.arrayBuffer();
    assert.ok(r.status < 500, `${method} ${p}: ${r.status} (nginx or a replica failed)`);
    const up = lastUpstream(r.headers.get(UPSTREAM_HEADER));
    assert.ok(alive.has(up), `${p} answered by ${up}`);
    return up;
  }

  type Cred = { kind: 'header' | 'bearer' | 'query' | 'cookie'; secret: string };
  /** The replica a WebSocket upgrade with this credential reached (the socket itself is closed at once). */
  function viaSocket(c: Cred): Promise<string> {
    const url = c.kind === 'query' ? `${nginx.wsUrl}?api_key=${encodeURIComponent(c.secret)}` : nginx.wsUrl;
    const headers: Record<string, string> =
      c.kind === 'header'
        ? { 'X-API-Key': c.secret }
        : c.kind === 'bearer'
          ? { Authorization: `Bearer ${c.secret}` }
          : c.kind === 'cookie'
            ? { Cookie: `csp_session=${c.secret}` }
            : {};
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('upgrade', (res) => {
        resolve(lastUpstream(res.headers[UPSTREAM_HEADER]));
        ws.terminate();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  const sessionPaths = (id: string) => [
    ['GET', `/api/v1/sessions/${id}`],
    ['GET', `/api/v1/sessions/${id}/changes`],
    ['POST', `/api/v1/sessions/${id}/archive`],
    ['GET', `/api/v1/sessions/${id}/files?path=.`],
  ];
  const ids = Array.from({ length: 45 }, () => randomUUID());
  const kinds = ['header', 'bearer', 'query', 'cookie'] as const;
  const creds: Cred[] = Array.from({ length: 24 }, (_, i) => ({ kind: kinds[i % 4] as Cred['kind'], secret: `csp_${randomUUID()}` }));
  const byId = new Map<string, string>();
  const byCred = new Map<Cred, string>();

  test('REST requests for one session id always reach the same replica; other requests spread', async () => {
    for (const id of ids) {
      const seen = new Set<string>();
      for (const [m, p] of sessionPaths(id)) seen.add(await viaRest(m as string, p as string));
      assert.equal(seen.size, 1, `session ${id} reached ${[...seen]}`);
      byId.set(id, [...seen][0] as string);
    }
    // 45 random ids over 3 replicas: each gets some (all on fewer is a ~1e-7 chance).
    assert.equal(new Set(byId.values()).size, 3, 'session ids spread over every replica');
    const spread = new Set<string>();
    for (let i = 0; i < 30; i++) spread.add(await viaRest('GET', '/api/v1/health/live'));
    assert.ok(spread.size >= 2, `requests without a session spread (reached ${[...spread]})`);
  });

  test('a socket with a credential always reaches one replica, the one holding its sessions', async () => {
    // The real key: a session created over one socket is in the list of the next socket with that key.
    const first = await TestClient.connect(nginx.wsUrl, key());
    await first.next('session_list');
    const sid = await first.createSession();
    await first.close();
    for (const via of ['query', 'header'] as const) {
      const again = await TestClient.connect(nginx.wsUrl, key(), { via });
      const list = await again.next('session_list');
      assert.ok(
        list.sessions.some((s) => s.session_id === sid),
        `the ${via} socket reached the replica holding the session`,
      );
      await again.close();
    }
    // A page's socket carries the Origin the browser reached the proxy at (here with its port): the
    // replica must see that host to accept it.
    const page = await TestClient.connect(nginx.wsUrl, key(), { headers: { Origin: nginx.url } });
    assert.ok(
      (await page.next('session_list')).sessions.some((s) => s.session_id === sid),
      'a browser socket is accepted',
    );
    await page.close();
    // Many credentials, each way a socket can carry one: each pinned, all together spread.
    for (const c of creds) {
      const a = await viaSocket(c);
      const b = await viaSocket(c);
      assert.equal(a, b, `${c.kind} credential reached ${a} then ${b}`);
      assert.ok(alive.has(a));
      byCred.set(c, a);
    }
    assert.ok(new Set(byCred.values()).size >= 2, 'credentials spread over the replicas');
  });

  test('the session list and a create pass through as they are (no redirect to a trailing slash)', async () => {
    const created = await fetch(`${nginx.url}/api/v1/sessions`, { method: 'POST', headers: { 'X-API-Key': key() }, redirect: 'manual' });
    assert.equal(created.status, 201, await created.text());
    const list = await fetch(`${nginx.url}/api/v1/sessions`, { headers: { 'X-API-Key': key() }, redirect: 'manual' });
    assert.equal(list.status, 200);
    await list.arrayBuffer();
  });

  test('killing one replica moves only its keys', async () => {
    // The replica holding the most keys goes, so the move is seen on many.
    const load = new Map<string, number>();
    for (const a of [...byId.values(), ...byCred.values()]) load.set(a, (load.get(a) ?? 0) + 1);
    const victim = [...load.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] as string;
    const i = addrs.indexOf(victim);
    await replicas[i]?.close();
    alive.delete(victim);
    // Refused now: nginx finds out at the first request that reaches it (passive health).
    await assert.rejects(fetch(`http://${victim}/api/v1/health/live`));

    let moved = 0;
    for (const id of ids) {
      const before_ = byId.get(id) as string;
      const now = await viaRest('GET', `/api/v1/sessions/${id}`);
      if (before_ === victim) {
        moved++;
        assert.notEqual(now, victim);
        // Where it moved, it stays.
        for (const [m, p] of sessionPaths(id)) assert.equal(await viaRest(m as string, p as string), now);
      } else assert.equal(now, before_, `session ${id} stayed on its live replica`);
    }
    for (const c of creds) {
      const before_ = byCred.get(c) as string;
      const now = await viaSocket(c);
      if (before_ === victim) {
        moved++;
        assert.ok(alive.has(now));
        assert.equal(await viaSocket(c), now);
      } else assert.equal(now, before_, `${c.kind} credential stayed on its live replica`);
    }
    assert.ok(moved > 0, 'the dead replica held keys');
  });
});
