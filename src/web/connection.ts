// The WebSocket to /ws/v1/chat: validates every frame with the shared schema,
// stamps client seqs, and reconnects by itself with exponential backoff.

import type { ClientMessage } from '../protocol/messages';
import { ServerFrame } from '../protocol/messages';

export type ConnEvent =
  | { type: 'open' }
  | { type: 'frame'; frame: ServerFrame }
  | { type: 'auth_failed'; reason: string }
  | { type: 'reconnecting'; attempt: number; at: number; code: number };

/** Distributive Omit, so each message type keeps its own fields. */
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
export type OutgoingMessage = WithoutSeq<ClientMessage>;

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

export function backoffDelay(attempt: number, random = Math.random): number {
  const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.75 + random() * 0.5));
}

/** The socket's address; the browser's sign-in cookie authenticates it (the page holds no key). */
export function wsUrl(loc: Location = window.location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws/v1/chat`;
}

export class ChatConnection {
  private ws: WebSocket | null = null;
  private seq = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private everOpened = false;

  constructor(private readonly listener: (e: ConnEvent) => void) {}

  connect(): void {
    this.closed = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = new WebSocket(wsUrl());
    this.ws = ws;
    this.seq = 0;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.everOpened = true;
      this.listener({ type: 'open' });
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        console.warn('Ignoring a frame that is not JSON');
        return;
      }
      const parsed = ServerFrame.safeParse(json);
      if (!parsed.success) {
        console.warn('Ignoring a frame that does not match the protocol', parsed.error.issues[0]);
        return;
      }
      this.listener({ type: 'frame', frame: parsed.data });
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      if (ev.code === 1008) {
        this.closed = true;
        this.listener({ type: 'auth_failed', reason: ev.reason || 'Invalid API key' });
        return;
      }
      this.scheduleReconnect(ev.code);
    };
  }

  private scheduleReconnect(code: number): void {
    this.attempt += 1;
    // The first retry after a working connection is quick: most drops are brief.
    const delay = this.everOpened && this.attempt === 1 ? 250 : backoffDelay(this.attempt);
    this.listener({ type: 'reconnecting', attempt: this.attempt, at: Date.now() + delay, code });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Skips the wait of a pending reconnect. */
  reconnectNow(): void {
    if (this.ws || this.closed) return;
    this.connect();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(msg: OutgoingMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify({ ...msg, seq: ++this.seq }));
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'bye');
  }
}
