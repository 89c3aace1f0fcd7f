// A live process for a session that has none (dormant, terminated but resumable,
// after a crash, or restarting): a slot, then a process resumed on the session's
// conversation. Concurrent callers share one start; a failed start goes back
// where the session was, and a lost transcript ends it for good.
import type { Logger } from 'pino';
import { PlatformError } from '../../protocol/errors.js';
import { checkSessionLimit } from '../accounting/user-limits.js';
import type { History } from '../conversations/history.js';
import type { LifecycleEmitter } from './lifecycle-events.js';
import type { ProcessStarter, SessionOptions } from './process-launcher.js';
import type { Session } from './session.js';

export interface ResumeContext {
  log: Logger;
  limits?: { sessionLimit(userId: string): Promise<number | null> } | undefined;
  openSessionsOf(userId: string): number;
  /** Takes a slot (evicting an idle session when full, SESSION_EVICTION=idle). */
  reserve(id: string): void;
  starter: ProcessStarter;
  history: Pick<History, 'hasTranscript'>;
  events: LifecycleEmitter;
  /** Restarts a terminated session's time in memory. */
  touch(s: Session): void;
  /** This replica holds the session's lease before its process starts (core/replicas; nothing on one host). */
  claim?(s: Session): Promise<void> | undefined;
}

export class Resumes {
  /** Process starts in flight, by session id. */
  private readonly starting = new Map<string, Promise<void>>();

  constructor(private readonly c: ResumeContext) {}

  /** A live process for the session, resuming its conversation if it has none. Concurrent callers share one start. */
  ensure(s: Session): Promise<void> {
    if (s.hasLiveProcess) return Promise.resolve();
    let p = this.starting.get(s.id);
    if (!p) {
      p = this.resume(s).finally(() => this.starting.delete(s.id));
      this.starting.set(s.id, p);
    }
    return p;
  }

  private async resume(s: Session): Promise<void> {
    const claimed = this.c.claim?.(s); // one host: nothing to wait for (the start stays synchronous up to here)
    if (claimed) await claimed;
    if (s.state === 'terminated' && !s.isResumable) throw new PlatformError('session_unavailable');
    // A terminated session coming back opens one more of the user's sessions (counted once it is resuming).
    if (s.state === 'terminated') {
      const max = (await this.c.limits?.sessionLimit(s.ownerId)) ?? null;
      if (s.state === 'terminated') checkSessionLimit(max, this.c.openSessionsOf(s.ownerId));
    }
    const restarting = s.state === 'restarting';
    this.c.reserve(s.id);
    s.resumeRequested();
    let transcriptLost = false;
    try {
      await s.whenReleased();
      const proc = await this.c.starter
        .start({
          sessionId: s.id,
          resume: await this.hasConversation(s),
          cwd: s.record().working_dir ?? undefined, // recorded at creation (none: PROJECT_DIR)
          options: sessionOptions(s),
          ownerId: s.ownerId,
        })
        .catch((e: Error) => {
          transcriptLost = /No conversation found/i.test(e.message);
          throw e;
        });
      if (!s.awaitsProcess) {
        // ended (destroyed) while its process started: the new process has nobody to serve
        await proc.stop();
        throw new PlatformError('session_unavailable');
      }
      s.processStarted(proc);
      this.c.log.info({ session_id: s.id, pid: proc.pid }, 'session resumed');
      if (!restarting) this.c.events.emit('resumed', { session_id: s.id, user_id: s.ownerId });
    } catch (e) {
      s.resumeFailed(transcriptLost);
      if (transcriptLost) {
        this.c.log.error({ session_id: s.id, reason: (e as Error).message.slice(0, 300) }, 'resume failed');
        this.c.events.emit('ended', { session_id: s.id, user_id: s.ownerId, reason: 'resume_failed', actor_user_id: null });
        this.c.touch(s);
      }
      throw e;
    }
  }

  /**
   * Whether a new process must resume the session's conversation. A session whose
   * process ended before its first message (released to make room, restarted,
   * ended by the server) has no transcript and starts fresh under its id; one that
   * had messages resumes, and a lost transcript then fails plainly.
   */
  private async hasConversation(s: Session): Promise<boolean> {
    const earlierMessages = s.summary().message_count - (s.turn ? 1 : 0);
    return earlierMessages > 0 || (await this.c.history.hasTranscript(s.id));
  }
}

function sessionOptions(s: Session): SessionOptions {
  return { model: s.options.model, permission_mode: s.options.permissionMode };
}
