// Writes that follow what happens (a session's row and turns, the processes we spawn): stored in the
// order they were made per key (a session id, a pid), never on the caller's path, a failure logged
// (never an unhandled rejection). When nothing is pending for the key a write starts at once, so an
// engine whose calls finish synchronously (SQLite) has stored it before the caller goes on; otherwise
// it waits for the key's earlier writes.
import type { Logger } from 'pino';

export class OrderedWrites {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Runs `write` after the key's earlier writes; `what` names it in the log if it fails. */
  enqueue(key: string, what: string, write: () => Promise<void>): void {
    const run = () =>
      new Promise<void>((resolve) => resolve(write())).catch((err: unknown) => this.log.error({ err, key }, `could not store ${what}`));
    const prev = this.tails.get(key);
    const tail = prev ? prev.then(run) : run();
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  /** Resolves when the writes queued so far are stored (or failed and logged): one key's, or every key's. */
  async settled(key?: string): Promise<void> {
    if (key !== undefined) await this.tails.get(key);
    else await Promise.all([...this.tails.values()]);
  }
}
