// What a session needs of the server around it (SessionHost): where its frames,
// rows and summaries go, what a finished turn records (the turn's row, metrics,
// the conversation's stored copy), and the slot its process held. Its row and turn
// writes go through one queue per session (session-writes.ts): stored in order, off its path.
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { SessionRepository } from '../../db/ports.js';
import type { Metrics } from '../accounting/metrics.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import type { Conversations } from '../conversations/conversations.js';
import type { SessionLifecycleEvents } from './lifecycle-events.js';
import type { OrderedWrites } from './ordered-writes.js';
import type { Session, SessionHost } from './session.js';

export interface SessionHostDeps {
  config: Config;
  repo: SessionRepository;
  writes: OrderedWrites;
  log: Logger;
  metrics?: Pick<Metrics, 'turns' | 'userTurn'> | undefined;
  conversations: Conversations;
  events: EventEmitter<SessionLifecycleEvents>;
  releaseSlot(sessionId: string): void;
  restart(s: Session, reason: 'memory_limit', graceMs: number): Promise<void>;
  /** A session's process has ended or is ending (its lease goes once it is gone: core/replicas). */
  processEnded?(s: Session, proc: ClaudeProcess): void;
}

export function sessionHost(d: SessionHostDeps): SessionHost {
  return {
    publish: (ev) => d.events.emit('event', ev),
    save: (row) => d.writes.enqueue(row.session_id, 'the session row', () => d.repo.save(row)),
    announce: (summary) => d.events.emit('updated', summary),
    turnEnded: (s, turn, r) => {
      const record = {
        session_id: s.id,
        started_at: new Date(turn.startedAt).toISOString(),
        ended_at: new Date().toISOString(),
        outcome: r.outcome,
        cost_usd: r.cost_usd,
        turn_count: r.turn_count,
        context_tokens: r.context_tokens ?? null,
        context_window: r.context_window ?? null,
      };
      d.writes.enqueue(s.id, 'the turn', () => d.repo.recordTurn(record));
      d.metrics?.turns.inc({ outcome: r.outcome });
      d.metrics?.userTurn(s.ownerId, r.cost_usd);
      // The stored copy reads the turn's outcome: it catches up once the turn is stored.
      d.conversations.turnEnded(s.id, d.writes.settled(s.id));
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
  };
}
