// A WebSocket test client: every frame it receives is checked against the
// protocol schema, and tests wait on frames (signals), never on sleeps.
import WebSocket from 'ws';
import { type ClientMessage, ServerFrame } from '../../src/protocol/messages.js';

type Frame = ServerFrame;

export class TestClient {
  readonly frames: Frame[] = [];
  /** Frames that failed schema validation (a test asserts this stays empty). */
  readonly invalid: unknown[] = [];
  private readonly waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }[] = [];
  private cursor = 0;
  private clientSeq = 0;
  closeCode: number | null = null;
  closeReason = '';
  private closed!: Promise<void>;

  private constructor(readonly ws: WebSocket) {}

  static connect(
    url: string,
    key?: string,
    opts: { via?: 'header' | 'query'; headers?: Record<string, string> } = {},
  ): Promise<TestClient> {
    const via = opts.via ?? 'query';
    const u = key !== undefined && via === 'query' ? `${url}${url.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}` : url;
    const headers = { ...(opts.headers ?? {}), ...(key !== undefined && via === 'header' ? { 'X-API-Key': key } : {}) };
    const ws = new WebSocket(u, { headers });
    const c = new TestClient(ws);
    c.closed = new Promise((r) =>
      ws.on('close', (code, reason) => {
        c.closeCode = code;
        c.closeReason = reason.toString();
        r();
      }),
    );
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        c.invalid.push(data.toString());
        return;
      }
      const parsed = ServerFrame.safeParse(json);
      if (!parsed.success) {
        c.invalid.push({ json, issues: parsed.error.issues });
        return;
      }
      const f = parsed.data;
      c.frames.push(f);
      for (const w of [...c.waiters]) {
        if (w.pred(f)) {
          c.waiters.splice(c.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('close', () => resolve(c));
    });
  }

  whenClosed(): Promise<void> {
    return this.closed;
  }

  /** Sends a client message; user_message gets an increasing seq unless given. */
  send(msg: ClientMessage | Record<string, unknown>): number | undefined {
    const m = { ...msg } as Record<string, unknown>;
    if (m.type === 'user_message' && m.seq === undefined) m.seq = ++this.clientSeq;
    else if (typeof m.seq === 'number') this.clientSeq = Math.max(this.clientSeq, m.seq);
    this.ws.send(JSON.stringify(m));
    return m.seq as number | undefined;
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  /** The next frame (after the previous next() call's match) that satisfies pred. */
  next<T extends Frame['type']>(
    type: T,
    pred: (f: Extract<Frame, { type: T }>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<Frame, { type: T }>> {
    const match = (f: Frame) => f.type === type && pred(f as Extract<Frame, { type: T }>);
    for (let i = this.cursor; i < this.frames.length; i++) {
      const f = this.frames[i] as Frame;
      if (match(f)) {
        this.cursor = i + 1;
        return Promise.resolve(f as Extract<Frame, { type: T }>);
      }
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timed out waiting for ${type}; last frames: ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: match,
        from: this.cursor,
        resolve: (f) => {
          clearTimeout(t);
          this.cursor = this.frames.length;
          resolve(f as Extract<Frame, { type: T }>);
        },
      });
    });
  }

  /** Creates a session and returns its id. */
  async createSession(): Promise<string> {
    this.send({ type: 'create_session' });
    const r = await this.next('session_ready', undefined, 60_000);
    return r.session_id;
  }

  /** Sends a message and waits for the turn to end; returns the streamed text and the end frame. */
  async turn(sessionId: string, text: string, timeoutMs = 30_000) {
    const start = this.frames.length;
    this.send({ type: 'user_message', session_id: sessionId, text });
    const end = await this.next('response_complete', (f) => f.session_id === sessionId, timeoutMs).catch(async () => {
      throw new Error(`turn did not complete: ${JSON.stringify(this.frames.slice(start).slice(-6))}`);
    });
    const frames = this.frames.slice(start);
    const text_ = frames
      .filter((f) => f.type === 'stream_delta' && f.session_id === sessionId)
      .map((f) => (f as { delta: string }).delta)
      .join('');
    return { text: text_, end, frames };
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}
