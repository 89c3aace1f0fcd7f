// Archive and Delete from the session list. Archive is a flag on the stored row (the list leaves
// the session out, search still finds it). Delete is for good: a live process is stopped first
// through the session's own destroy path, then its transcript, attachments and every stored row go.
// Owner only: for anyone else the session does not exist (not_found), admins included.
import fs from 'node:fs/promises';
import type { SessionRemovalRepository, SessionRepository } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import type { PurgeSessionResponse, SessionSummary } from '../../protocol/messages.js';
import type { AuditRecord } from '../accounting/audit-log.js';
import type { Principal } from '../identity/principal.js';
import type { SessionManager } from './session-manager.js';

const USER_DELETED = 'Session deleted at your request.';

export interface SessionRemovalDeps {
  manager: SessionManager;
  repo: SessionRepository;
  rows: SessionRemovalRepository;
  /** The id of one of the caller's own sessions, or not_found (the chat service's lookup). */
  ownSession: (p: Principal, id: string) => Promise<string>;
  /** Removes a session's sent attachments; how many files went. */
  deleteAttachments: (sessionId: string) => number;
  audit: (r: AuditRecord) => void;
  /** Removes the session's transcripts from the shared store (DATABASE_URL=postgres://…). */
  deleteStoredTranscript?: ((sessionId: string) => Promise<void>) | undefined;
}

export class SessionRemoval {
  constructor(private readonly d: SessionRemovalDeps) {}

  archive(p: Principal, sessionId: string): Promise<SessionSummary> {
    return this.setArchived(p, sessionId, true);
  }

  unarchive(p: Principal, sessionId: string): Promise<SessionSummary> {
    return this.setArchived(p, sessionId, false);
  }

  private async setArchived(p: Principal, sessionId: string, archived: boolean): Promise<SessionSummary> {
    const id = await this.d.ownSession(p, sessionId);
    await this.d.rows.setArchived(id, archived ? new Date().toISOString() : null);
    this.d.audit({ actor_user_id: p.user_id, action: archived ? 'session.archived' : 'session.unarchived', session_id: id });
    const row = await this.d.repo.get(id);
    if (!row) throw new PlatformError('not_found');
    // Said either way, so the owner's other tabs drop or bring back the row at once.
    const summary = { ...this.d.manager.lists.summary(row), archived };
    this.d.manager.emit('updated', summary);
    return summary;
  }

  async purge(p: Principal, sessionId: string): Promise<PurgeSessionResponse> {
    const id = await this.d.ownSession(p, sessionId);
    const s = await this.d.manager.find(id);
    const stopped = !!s && s.state !== 'terminated';
    if (s && stopped) await this.d.manager.destroy(s, 'user_deleted', USER_DELETED, p.user_id);
    const transcript = await this.d.manager.transcriptFile(id);
    if (transcript) await fs.rm(transcript, { force: true });
    await this.d.deleteStoredTranscript?.(id);
    const attachments = this.d.deleteAttachments(id);
    this.d.manager.registry.remove(id);
    // Its row and turn writes still queued would bring rows back after the delete.
    await this.d.manager.writes.settled(id);
    await this.d.rows.deleteSession(id);
    this.d.audit({ actor_user_id: p.user_id, action: 'session.deleted', session_id: id, detail: { attachments, stopped } });
    this.d.manager.emit('deleted', { session_id: id, user_id: p.user_id });
    return { session_id: id, deleted: true };
  }
}
