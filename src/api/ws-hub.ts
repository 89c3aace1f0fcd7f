// The open connections. Every server frame leaves through Connection.send,
// which stamps the per-connection seq. Who watches which session is the chat
// service's business; the hub only broadcasts summaries (to the owner's
// connections only) and notices, and closes a user's sockets when asked.

import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ChatService, Watcher } from '../core/chat-service.js';
import type { Principal } from '../core/identity/principal.js';
import type { ServerFrame, SessionSummary, UnsequencedFrame } from '../protocol/messages.js';

/** A client that stops reading is cut off past this much unsent data; it can reconnect losslessly. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class Connection implements Watcher {
  private seq = 0;
  /** Highest client seq seen (client seqs must increase). */
  lastClientSeq = 0;
  readonly id: number;

  constructor(
    readonly socket: WebSocket,
    id: number,
    /** Who opened it (fixed for its life; revoking the credential closes it). */
    readonly principal: Principal,
    private readonly log: Logger,
  ) {
    this.id = id;
  }

  send(frame: UnsequencedFrame | Omit<Extract<ServerFrame, { type: 'message_received' }>, never>): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ conn: this.id }, 'client is not reading: closing');
      this.socket.close(1013, 'Client too slow; reconnect to resume');
      return;
    }
    const out = frame.type === 'message_received' ? frame : { ...frame, seq: ++this.seq };
    this.cork();
    this.socket.send(JSON.stringify(out));
  }

  private corked = false;

  /**
   * Frames sent in the same tick leave in one write: the TCP socket is corked on
   * the first frame and uncorked on process.nextTick, after the rest of the
   * current callback and its microtasks (a CLI output chunk of many deltas).
   * Without it ws writes each frame with its own writev syscall (docs/benchmarks.md).
   * bufferedAmount still counts corked bytes, so the slow-client check holds.
   */
  private cork(): void {
    if (this.corked) return;
    // ws keeps the net.Socket on _socket (stable since ws 1.x; there is no public accessor)
    const raw = (this.socket as unknown as { _socket?: { cork?: () => void; uncork: () => void } })._socket;
    if (!raw?.cork) return;
    raw.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }
}

export class WsHub {
  readonly connections = new Set<Connection>();
  private nextId = 1;

  constructor(
    private readonly chat: ChatService,
    private readonly log: Logger,
  ) {
    chat.onSessionUpdated((session) => this.summaryChanged(session));
    // A deleted session leaves its owner's lists (on this replica; others' get it with their next list).
    chat.onSessionDeleted((d) => {
      for (const c of this.connections)
        if (c.principal.user_id === d.user_id) c.send({ type: 'session_deleted', session_id: d.session_id });
    });
  }

  /** A session's summary changed (here, or on another replica): its owner's business only. */
  summaryChanged(session: SessionSummary): void {
    for (const c of this.connections) if (c.principal.user_id === session.user_id) c.send({ type: 'session_updated', session });
  }

  /** Summaries may have been missed (the replica channel reconnected): every socket gets its list again. */
  resendLists(): void {
    for (const c of this.connections)
      void this.chat.list(c.principal).then(
        (sessions) => c.send({ type: 'session_list', sessions }),
        (err: unknown) => this.log.warn({ err }, 'could not send a socket its session list again'),
      );
  }

  add(socket: WebSocket, principal: Principal): Connection {
    const c = new Connection(socket, this.nextId++, principal, this.log);
    this.connections.add(c);
    return c;
  }

  remove(c: Connection): void {
    this.connections.delete(c);
    this.chat.forget(c);
  }

  broadcast(frame: UnsequencedFrame): void {
    for (const c of this.connections) c.send(frame);
  }

  /** Closes the sockets a user opened (disabled), or those opened with one token (revoked), as a refused key is closed. */
  closeWhere(match: (p: Principal) => boolean, reason: string): number {
    let n = 0;
    for (const c of this.connections) {
      if (!match(c.principal)) continue;
      c.socket.close(1008, reason);
      n++;
    }
    return n;
  }
}
