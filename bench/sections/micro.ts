// 5c. The per-frame cost of the server's own code, in isolation (this process):
// TurnTranslator.push -> Session.emit (event buffer) -> manager 'event' -> WsHub.deliver
// -> Connection.send (seq stamp, JSON.stringify, ws.send = one socket write per frame).
// Each variant is timed as synchronous CPU per frame, in batches that let the socket drain.
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { WsHub } from '../../src/api/ws-hub.js';
import { ChatService } from '../../src/core/chat-service.js';
import type { Principal } from '../../src/core/identity/principal.js';
import type { BufferedEvent, Session } from '../../src/core/sessions/session.js';
import type { SessionManager } from '../../src/core/sessions/session-manager.js';
import { detachedSession } from '../../src/testing/detached-session.js';
import type { BenchConfig } from '../lib/config.js';
import { round, sleep } from '../lib/util.js';

const BENCH_PRINCIPAL: Principal = { user_id: 'default', name: 'admin', role: 'admin', via: 'key' };

const SID = '11111111-2222-4333-8444-555555555555';

function deltaMsg(i: number): SDKMessage {
  return {
    type: 'stream_event',
    event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `lorem ipsum ${i % 10} ` } },
    parent_tool_use_id: null,
    uuid: '00000000-0000-4000-8000-000000000000',
    session_id: SID,
  } as unknown as SDKMessage;
}

async function pair() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', (s) => r(s)));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  let received = 0;
  client.on('message', () => received++);
  await new Promise((r) => client.once('open', r));
  const socket = await serverSide;
  return {
    socket,
    received: () => received,
    async close() {
      client.close();
      await new Promise((r) => client.once('close', r));
      await new Promise((r) => wss.close(() => r(undefined)));
    },
  };
}

/** Runs `fn(i)` n times in batches; returns µs of synchronous CPU per call and the wall time until the client got everything. */
async function timeIt(n: number, batch: number, fn: (i: number) => void, received?: () => number, expect = 0) {
  // warm-up (JIT), not counted: the client still receives these, so wait for them
  const warm = Math.min(500, n);
  const before = received?.() ?? 0;
  for (let i = 0; i < warm; i++) {
    fn(i);
    if (i % batch === 0) await new Promise((r) => setImmediate(r));
  }
  if (received) while (received() < before + warm) await sleep(1);
  expect += warm;
  let busy = 0;
  const w0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; ) {
    const t = performance.now();
    const end = Math.min(n, i + batch);
    for (; i < end; i++) fn(i);
    busy += performance.now() - t;
    await new Promise((r) => setImmediate(r));
  }
  if (received) while (received() < expect) await sleep(1);
  const cpu = process.cpuUsage(cpu0);
  return {
    us_per_frame: round((busy / n) * 1000, 3),
    process_cpu_us_per_frame: round(((cpu.user + cpu.system) / n) * 1, 3),
    wall_ms: round(performance.now() - w0, 1),
  };
}

export async function micro(cfg: BenchConfig, log: (s: string) => void, opts: { cork?: boolean } = {}) {
  const n = cfg.microFrames;
  const batch = 50;
  const silent = pino({ level: 'silent' });
  const out: Record<string, unknown> = { frames: n, batch };

  // a. JSON only: the seq stamp and serialisation of one frame
  const ev = { type: 'stream_delta', delta: 'lorem ipsum 3 ', session_id: SID, event_id: 1 };
  let seq = 0;
  out.json_stringify = await timeIt(n, batch, () => {
    JSON.stringify({ ...ev, seq: ++seq });
  });

  // b. ws.send of a ready string (the socket write floor)
  {
    const p = await pair();
    const s = JSON.stringify({ ...ev, seq: 1 });
    out.ws_send_prebuilt = await timeIt(n, batch, () => p.socket.send(s), p.received, n);
    await p.close();
  }

  // b2. the same, with the TCP socket corked for the batch (what WsHub does per tick since the fix)
  {
    const p = await pair();
    const s = JSON.stringify({ ...ev, seq: 1 });
    const raw = (p.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    let open = false;
    out.ws_send_prebuilt_corked = await timeIt(
      n,
      batch,
      () => {
        if (!open) {
          raw.cork();
          open = true;
          process.nextTick(() => {
            open = false;
            raw.uncork();
          });
        }
        p.socket.send(s);
      },
      p.received,
      n,
    );
    await p.close();
  }

  // c. Connection.send via the hub (seq, stringify, buffered-amount check, ws.send)
  {
    const p = await pair();
    const mgr = new EventEmitter();
    const chat = new ChatService(mgr as unknown as SessionManager, { maxFileBytes: 0, maxMessageBytes: 0, maxFiles: 0 });
    const hub = new WsHub(chat, silent);
    const conn = hub.add(p.socket as never, BENCH_PRINCIPAL);
    chat.watch(SID, conn, false);
    out.connection_send = await timeIt(n, batch, (i) => conn.send({ ...ev, event_id: i } as never), p.received, n);
    await p.close();
  }

  // d. Full server path from an SDK message: translator, Session.emit (event buffer), hub, send
  const fullPath = async (label: string, frames: number) => {
    const p = await pair();
    const mgr = new EventEmitter();
    const chat = new ChatService(mgr as unknown as SessionManager, { maxFileBytes: 0, maxMessageBytes: 0, maxFiles: 0 });
    const hub = new WsHub(chat, silent);
    const conn = hub.add(p.socket as never, BENCH_PRINCIPAL);
    chat.watch(SID, conn, false);
    const session = detachedSession(SID, { publish: (e: BufferedEvent) => mgr.emit('event', e) });
    session.startTurn('bench');
    const base = p.received();
    const msgs = Array.from({ length: 10 }, (_, i) => deltaMsg(i));
    const r = await timeIt(
      frames,
      batch,
      (i) => session.handleMessage(msgs[i % 10] as SDKMessage),
      () => p.received() - base,
      frames,
    );
    await p.close();
    out[label] = r;
    return session;
  };
  await fullPath('full_path_buffer_filling', Math.min(n, 4000));
  // past EVENT_BUFFER_MAX (5000) every emit also trims the buffer with splice(0, 1)
  {
    const p = await pair();
    const mgr = new EventEmitter();
    const chat = new ChatService(mgr as unknown as SessionManager, { maxFileBytes: 0, maxMessageBytes: 0, maxFiles: 0 });
    const hub = new WsHub(chat, silent);
    const conn = hub.add(p.socket as never, BENCH_PRINCIPAL);
    chat.watch(SID, conn, false);
    const session = detachedSession(SID);
    session.startTurn('bench');
    for (let i = 0; i < 5000; i++) session.emit({ type: 'stream_delta', delta: 'warm' });
    const m = deltaMsg(0);
    out.emit_only_buffer_full = await timeIt(Math.min(n, 5000), batch, () => session.handleMessage(m));
    await p.close();
    void conn;
  }
  await fullPath('full_path', n);
  out.event_buffer = eventBufferBytes();
  void opts;
  const full = out.full_path as { us_per_frame: number };
  out.max_frames_per_s_one_core = round(1e6 / full.us_per_frame, 0);
  log(
    `  micro: stringify ${(out.json_stringify as { us_per_frame: number }).us_per_frame} µs, ws.send ${(out.ws_send_prebuilt as { us_per_frame: number }).us_per_frame} µs, ` +
      `Connection.send ${(out.connection_send as { us_per_frame: number }).us_per_frame} µs, full path ${full.us_per_frame} µs per frame`,
  );
  return out;
}

/**
 * Heap bytes the per-session event buffer (Session.events, up to 5000 events, for
 * lossless reconnect) holds per event, for the soak's turn mix: a text turn is
 * turn_started + stream_delta + response_complete, a Bash turn adds tool_use and tool_result.
 */
function eventBufferBytes() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const make = () => detachedSession(SID);
  const fill = (s: Session, turns: number) => {
    const first = s.lastEventId; // event ids need not start at 1
    for (let t = 0; t < turns; t++) {
      const text = `say: soak session 1 turn ${t} ${'z'.repeat(200)}`;
      s.emit({ type: 'turn_started', text });
      if (t % 2 === 1) {
        s.emit({
          type: 'tool_use',
          tool_use_id: `toolu_${t}`,
          tool: 'Bash',
          input: { command: `echo soak 1 ${t} && ls /tmp > /dev/null` },
        });
        s.emit({ type: 'tool_result', tool_use_id: `toolu_${t}`, result: { output: `soak 1 ${t}` }, status: 'success', duration_ms: 12 });
        s.emit({ type: 'stream_delta', delta: `The tool returned:\n\n\`\`\`\nsoak 1 ${t}\n\`\`\`` });
      } else s.emit({ type: 'stream_delta', delta: text.slice(5) });
      s.emit({ type: 'response_complete', cost_usd: 0.001, turn_count: 1 });
    }
    return s.lastEventId - first;
  };
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const sessions = Array.from({ length: 10 }, make);
  let events = 0;
  for (const s of sessions) events += fill(s, 200);
  gc();
  const h1 = process.memoryUsage().heapUsed;
  const perEvent = (h1 - h0) / events;
  void sessions.length;
  return {
    soak_like_events: events,
    bytes_per_event: Math.round(perEvent),
    soak_10x200_mb: round((h1 - h0) / 1048576, 2),
    full_buffer_mb_per_session_at_this_mix: round((perEvent * 5000) / 1048576, 2),
    note: 'the cap is 5000 events whatever their size: 5000 tool_result frames of 100 kB each would hold ~500 MB per session',
  };
}
