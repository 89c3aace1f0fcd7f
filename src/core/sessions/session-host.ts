// What a session needs of the server around it (SessionHost): where its frames,
// rows and summaries go, what a finished turn records (the turn's row, metrics,
// the conversation's stored copy), and the slot its process held.
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { SessionRepository } from '../../db/session-repository.js';
import type { Metrics } from '../accounting/metrics.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import type { Conversations } from '../conversations/conversations.js';
import type { SessionLifecycleEvents } from './lifecycle-events.js';
import type { Session, SessionHost } from './session.js';

export interface SessionHostDeps {
  config: Config;
  repo: SessionRepository;
  log: Logger;
  metrics?: Pick<Metrics, 'turns' | 'userTurn'> | undefined;
  conversations: Conversations;
  events: EventEmitter<SessionLifecycleEvents>;
  releaseSlot(sessionId: string): void;
  restart(s: Session, reason: 'memory_limit', graceMs: number): Promise<void>;
  cwdOf(sessionId: string): string;
  /** A session's process has ended or is ending (its lease goes once it is gone: core/replicas). */
  processEnded?(s: Session, proc: ClaudeProcess): void;
}

export function sessionHost(d: SessionHostDeps): SessionHost {
  return {
    publish: (ev) => d.events.emit('event', ev),
    save: (row) => d.repo.save(row),
    announce: (summary) => d.events.emit('updated', summary),
    turnEnded: (s, turn, r) => {
      d.repo.recordTurn({
        session_id: s.id,
        started_at: new Date(turn.startedAt).toISOString(),
        ended_at: new Date().toISOString(),
        outcome: r.outcome,
        cost_usd: r.cost_usd,
        turn_count: r.turn_count,
        context_tokens: r.context_tokens ?? null,
        context_window: r.context_window ?? null,
      });
      d.metrics?.turns.inc({ outcome: r.outcome });
      d.metrics?.userTurn(s.ownerId, r.cost_usd);
      d.conversations.turnEnded(s.id);
    },
    // after the turn has fully ended (its state move included)
    restartDue: (s, reason) => setImmediate(() => void d.restart(s, reason, d.config.memoryRestartGraceSeconds * 1000)),
    processGone: (s, proc, reason, expected) => {
      if (!expected) d.log.warn({ session_id: s.id, pid: proc.pid, reason }, 'claude process died');
      d.processEnded?.(s, proc);
    },
    releaseSlot: (id) => d.releaseSlot(id),
    permissionDecided: (s, x) => d.events.emit('permission', { ...x, session_id: s.id, user_id: s.ownerId }),
    permissionTimeoutMs: d.config.permissionTimeoutSeconds * 1000,
    projectDir: d.config.projectDir,
    cwdOf: (sessionId) => d.cwdOf(sessionId),
  };
}
