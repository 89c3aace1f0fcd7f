// The transcript mirror of a server whose DATABASE_URL names PostgreSQL: its own small pool on that
// database, the table created (once, under a lock) before the server serves anyone.
import type { Logger } from 'pino';
import postgres from 'postgres';
import type { FenceProvider } from '../../db/leases.js';
import { PgTranscriptStore } from './pg-transcript-store.js';
import { type MirrorMetrics, TranscriptMirror } from './transcript-mirror.js';

export interface OpenTranscripts {
  mirror: TranscriptMirror;
  close(): Promise<void>;
}

/** Opens the store on `url` (with a SQLite database there is none: the CLI's local transcripts are the record). */
export async function openTranscripts(
  url: string,
  deps: { log: Logger; metrics?: MirrorMetrics; fence?: FenceProvider | undefined },
): Promise<OpenTranscripts> {
  // Appends arrive every ~100 ms per streaming session and are short: a few connections suffice.
  const sql = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: 10 });
  const store = new PgTranscriptStore(sql, deps.fence);
  try {
    await store.init();
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw new Error(`Could not prepare the transcript table in PostgreSQL (DATABASE_URL): ${(e as Error).message}`);
  }
  const mirror = new TranscriptMirror(store, { log: deps.log.child({ component: 'transcripts' }), metrics: deps.metrics });
  return {
    mirror,
    /** After the CLIs stopped: one last try at pending repairs (bounded), then the pool closes. */
    async close() {
      if (mirror.pendingRepairs > 0) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5000);
        });
        await Promise.race([mirror.repairNow().catch(() => undefined), bound]);
        clearTimeout(timer);
      }
      mirror.close();
      await sql.end({ timeout: 5 });
    },
  };
}
