// NOTIFY_WEBHOOK_URL: a JSON POST when a turn ends, fails, or waits for a permission answer.
// Delivery never touches a turn: events go into a bounded queue (the oldest dropped when
// full) and one worker posts them in order, each with a timeout, retrying network errors,
// timeouts, 429 and 5xx with exponential backoff. What a payload holds is documented in
// docs/security.md: ids, the session title (only one the user gave it), a link, the tool's name, figures; never the
// message text, the tool's input or an error text.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SessionEvent } from '../../protocol/messages.js';

export type WebhookEventKind = 'permission_request' | 'response_complete' | 'stream_error';

export interface WebhookPayload {
  /** Same on every retry of one notification (receivers can drop duplicates). */
  id: string;
  event: WebhookEventKind;
  at: string;
  session_id: string;
  session_title: string;
  /** `${PUBLIC_URL}/chat?resume=<id>`; null without PUBLIC_URL. */
  link: string | null;
  /** permission_request: the tool waiting for an answer. */
  tool?: string;
  /** response_complete: the turn's cost and the session's total. */
  cost_usd?: number;
  session_cost_usd?: number;
  /** stream_error: what the user can do. */
  suggested_action?: string;
}

export interface WebhookOptions {
  url: string;
  publicUrl: string | undefined;
  logger: Logger;
  /**
   * The title the user gave a session (renamed), for the payload; undefined otherwise: a default
   * title is the start of the first message, and message text never leaves in a notification.
   */
  /** The session's title to show, if any (read when the notification is queued). */
  titleOf: (sessionId: string) => Promise<string | undefined> | string | undefined;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxQueue?: number;
}

interface Pending {
  /** Made when queued; its title may take a read (awaited by the sender, in order). */
  payload: Promise<WebhookPayload>;
  attempt: number;
}

export class WebhookNotifier {
  private readonly queue: Pending[] = [];
  private working = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private readonly inflight = new AbortController();
  /** Counters, for logs and tests. */
  readonly stats = { delivered: 0, failed: 0, dropped: 0, retried: 0 };
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxQueue: number;

  constructor(private readonly opts: WebhookOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxQueue = opts.maxQueue ?? 200;
  }

  /** The notification a session event gives, or null (most events give none). */
  payloadFor(ev: SessionEvent): Promise<WebhookPayload> | null {
    if (ev.type !== 'permission_request' && ev.type !== 'response_complete' && ev.type !== 'stream_error') return null;
    const at = new Date().toISOString();
    return this.title(ev.session_id).then((title) => this.payloadWith(ev, at, title));
  }

  /** The title to show: a failed read gives the default one, never a lost notification. */
  private async title(sessionId: string): Promise<string> {
    try {
      return (await this.opts.titleOf(sessionId)) ?? `Session ${sessionId.slice(0, 8)}`;
    } catch (e) {
      this.opts.logger.warn({ err: e, session_id: sessionId }, 'webhook: could not read the session title');
      return `Session ${sessionId.slice(0, 8)}`;
    }
  }

  private payloadWith(
    ev: Extract<SessionEvent, { type: 'permission_request' | 'response_complete' | 'stream_error' }>,
    at: string,
    title: string,
  ): WebhookPayload {
    const base = {
      id: randomUUID(),
      event: ev.type,
      at,
      session_id: ev.session_id,
      session_title: title,
      link: this.opts.publicUrl ? `${this.opts.publicUrl}/chat?resume=${ev.session_id}` : null,
    };
    if (ev.type === 'permission_request') return { ...base, tool: ev.tool };
    if (ev.type === 'response_complete')
      return { ...base, cost_usd: ev.cost_usd, ...(ev.session_cost_usd !== undefined ? { session_cost_usd: ev.session_cost_usd } : {}) };
    return { ...base, suggested_action: ev.suggested_action };
  }

  /** Queues the event's notification, if it gives one. Synchronous and cheap: never waits. */
  notify(ev: SessionEvent): void {
    if (this.stopped) return;
    const payload = this.payloadFor(ev);
    if (!payload) return;
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.stats.dropped++;
      this.opts.logger.warn({ max: this.maxQueue }, 'webhook queue full: oldest notification dropped');
    }
    this.queue.push({ payload, attempt: 0 });
    if (!this.working) void this.work();
  }

  /** Stops delivering; what is queued is dropped, a request in flight is aborted. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.inflight.abort();
  }

  private async work(): Promise<void> {
    this.working = true;
    try {
      while (!this.stopped) {
        const next = this.queue.shift();
        if (!next) break;
        next.attempt++;
        const payload = await next.payload;
        if (this.stopped) break;
        const outcome = await this.post(payload);
        if (outcome === 'ok') {
          this.stats.delivered++;
          continue;
        }
        if (outcome === 'retry' && next.attempt < this.maxAttempts) {
          this.stats.retried++;
          // Order is kept: the same notification goes first again after the backoff.
          this.queue.unshift(next);
          await this.sleep(this.baseDelayMs * 2 ** (next.attempt - 1));
          continue;
        }
        this.stats.failed++;
        this.opts.logger.warn({ event: payload.event, attempts: next.attempt }, 'webhook notification not delivered');
      }
    } finally {
      this.working = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
      this.timer = setTimeout(r, ms);
      this.timer.unref();
    });
  }

  private async post(payload: WebhookPayload): Promise<'ok' | 'retry' | 'fail'> {
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'claude-sdk-pattern-webhook' },
        body: JSON.stringify(payload),
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.inflight.signal]),
      });
      await res.body?.cancel();
      if (res.ok) return 'ok';
      return res.status === 429 || res.status >= 500 ? 'retry' : 'fail';
    } catch (e) {
      this.opts.logger.debug({ err: (e as Error).message }, 'webhook post failed');
      return this.stopped ? 'fail' : 'retry';
    }
  }
}
