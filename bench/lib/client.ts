// A light WebSocket client for the bench: no schema validation (that would
// cost the driver more than the server spends per frame), arrival times taken
// as each frame is parsed.
import WebSocket from 'ws';

export interface Frame {
  type: string;
  session_id?: string;
  seq?: number;
  delta?: string;
  [k: string]: unknown;
}

type Listener = (f: Frame, at: number) => void;

export class BenchClient {
  private listeners = new Set<Listener>();
  private clientSeq = 0;
  readonly counts = new Map<string, number>();
  closed = false;
  private constructor(readonly ws: WebSocket) {}

  static connect(wsUrl: string, key: string): Promise<BenchClient> {
    const ws = new WebSocket(`${wsUrl}?api_key=${encodeURIComponent(key)}`);
    const c = new BenchClient(ws);
    ws.on('message', (data) => {
      const at = performance.now();
      const f = JSON.parse(data.toString()) as Frame;
      c.counts.set(f.type, (c.counts.get(f.type) ?? 0) + 1);
      for (const l of [...c.listeners]) l(f, at);
    });
    ws.on('close', () => {
      c.closed = true;
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Waits for the first frame (from now on) that matches. */
  wait(pred: (f: Frame) => boolean, timeoutMs = 60_000, what = 'frame'): Promise<{ f: Frame; at: number }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const off = this.on((f, at) => {
        if (!pred(f)) return;
        clearTimeout(t);
        off();
        resolve({ f, at });
      });
    });
  }

  send(msg: Record<string, unknown>): number {
    const m = { ...msg };
    if (m.type === 'user_message' && m.seq === undefined) m.seq = ++this.clientSeq;
    const at = performance.now();
    this.ws.send(JSON.stringify(m));
    return at;
  }

  /** create_session -> session_ready; returns the id, source and elapsed ms. */
  async create(timeoutMs = 60_000): Promise<{ id: string; source: string; ms: number }> {
    const ready = this.wait((f) => f.type === 'session_ready' || f.type === 'error', timeoutMs, 'session_ready');
    const t0 = this.send({ type: 'create_session' });
    const { f, at } = await ready;
    if (f.type === 'error') throw new Error(`create_session failed: ${String(f.code)} ${String(f.message)}`);
    return { id: f.session_id as string, source: String(f.source), ms: at - t0 };
  }

  /**
   * One turn: send, then time the first stream_delta and the end of the turn.
   * Resolves with ok=false (never throws) on error frames or timeout.
   */
  turn(
    sessionId: string,
    text: string,
    timeoutMs = 120_000,
  ): Promise<{
    ok: boolean;
    firstDeltaMs: number;
    totalMs: number;
    deltas: number;
    tools: number;
    end: string;
    firstAt: number;
    lastDeltaAt: number;
  }> {
    return new Promise((resolve) => {
      let first = Number.NaN;
      let lastDeltaAt = Number.NaN;
      let deltas = 0;
      let tools = 0;
      let t0 = 0;
      const finish = (ok: boolean, end: string, at: number) => {
        clearTimeout(timer);
        off();
        resolve({ ok, firstDeltaMs: first - t0, totalMs: at - t0, deltas, tools, end, firstAt: first, lastDeltaAt });
      };
      const timer = setTimeout(() => finish(false, 'timeout', performance.now()), timeoutMs);
      const off = this.on((f, at) => {
        if (f.session_id !== sessionId) return;
        switch (f.type) {
          case 'stream_delta':
            if (deltas === 0) first = at;
            lastDeltaAt = at;
            deltas++;
            return;
          case 'tool_result':
            tools++;
            return;
          case 'response_complete':
            return finish(true, f.type, at);
          case 'stream_error':
          case 'stream_interrupted':
          case 'session_terminated':
            return finish(false, `${f.type}: ${String(f.error ?? f.reason ?? '')}`.slice(0, 200), at);
          case 'error':
            return finish(false, `error: ${String(f.code)} ${String(f.message)}`, at);
        }
      });
      t0 = this.send({ type: 'user_message', session_id: sessionId, text });
    });
  }

  async destroy(sessionId: string, timeoutMs = 30_000): Promise<void> {
    const done = this.wait((f) => f.type === 'session_terminated' && f.session_id === sessionId, timeoutMs, 'session_terminated');
    this.send({ type: 'destroy_session', session_id: sessionId });
    await done;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}
