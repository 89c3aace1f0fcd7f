// One session's event log: every frame of its stream gets an increasing event_id
// and is kept (bounded) so a client that reconnects can be sent what it missed.
import type { SessionEvent } from '../../protocol/messages.js';

/** Distributive Omit, so a union of frames keeps its members apart. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<SessionEvent, 'event_id' | 'session_id'>;
export type BufferedEvent = SessionEvent & { event_id: number };

const EVENT_BUFFER_MAX = 5000;
/** Per session: large tool results must not let 5,000 events hold hundreds of MB. */
const EVENT_BUFFER_BYTES = 4 * 1024 * 1024;

/** Rough size of an event: its text-bearing fields, without serialising it. */
function approxSize(e: BufferedEvent): number {
  switch (e.type) {
    case 'stream_delta':
      return 120 + e.delta.length;
    case 'tool_use':
    case 'permission_request':
      return 200 + JSON.stringify(e.input).length;
    case 'tool_result':
      return 200 + JSON.stringify(e.result).length;
    case 'turn_started':
      return 120 + e.text.length;
    default:
      return 200;
  }
}

export class EventBuffer {
  private readonly events: BufferedEvent[] = [];
  /**
   * Event ids start from the clock (µs-scale), so they keep increasing across server
   * restarts: a client's `after` from an earlier run can never skip new events.
   */
  private nextEventId = Date.now() * 1000 + 1;
  private bytes = 0;

  constructor(private readonly sessionId: string) {}

  get lastEventId(): number {
    return this.nextEventId - 1;
  }

  /**
   * Stamps and keeps an event. Past the count or byte budget the oldest go, in one
   * splice, but never those after `keepAfter` (the turn in flight: a reconnect must
   * be able to replay all of it).
   */
  push(ev: EventInput, keepAfter = Number.POSITIVE_INFINITY): BufferedEvent {
    const full = { ...ev, session_id: this.sessionId, event_id: this.nextEventId++ } as BufferedEvent;
    this.events.push(full);
    this.bytes += approxSize(full);
    if (this.events.length > EVENT_BUFFER_MAX || this.bytes > EVENT_BUFFER_BYTES) this.trim(keepAfter);
    return full;
  }

  private trim(keepAfter: number): void {
    let n = 0;
    while (
      n < this.events.length &&
      (this.events.length - n > EVENT_BUFFER_MAX || this.bytes > EVENT_BUFFER_BYTES) &&
      (this.events[n]?.event_id ?? 0) <= keepAfter
    ) {
      this.bytes -= approxSize(this.events[n] as BufferedEvent);
      n++;
    }
    if (n > 0) this.events.splice(0, n);
  }

  /** Forgets every event (ids keep increasing): a later reconnect gets the history instead. */
  clear(): void {
    this.events.length = 0;
    this.bytes = 0;
  }

  /** Buffered events after `after`, or undefined when the buffer no longer reaches back that far. */
  after(after: number): BufferedEvent[] | undefined {
    if (after >= this.lastEventId) return [];
    const first = this.events[0];
    if (!first || first.event_id > after + 1) return undefined;
    return this.events.filter((e) => e.event_id > after);
  }
}
