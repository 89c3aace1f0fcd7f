// The "Sessions" navigation: every session with its status, last activity,
// message count and cost; switch, resume, end (with a confirm), archive and delete (with a confirm).
import { Fragment, type KeyboardEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../protocol/messages';
import { formatCost, relativeTime, sessionTitle, statusHint, statusLabel, useNow } from '../format';
import { groupSessions, listedSessions } from '../session-groups';
import { RenameSession } from './RenameSession';
import { ConfirmDelete } from './SessionArchive';
import { WaitingBadge } from './WaitingBadge';
import './status.css';
import './SessionList.css';

interface Props {
  sessions: SessionSummary[];
  currentId: string | null;
  canAct: boolean;
  creating: boolean;
  onNew: () => void;
  onSelect: (id: string) => void;
  onResume: (id: string) => void;
  onDestroy: (id: string) => void;
  /** Saves a new title (the server's session_updated brings it into the list). */
  onRename?: (id: string, title: string) => Promise<void>;
  /** Archives a session (it leaves the list; the Archived view restores it). */
  onArchive?: (id: string) => Promise<void>;
  /** Deletes a session for good, after the confirm dialog. */
  onDelete?: (id: string) => Promise<void>;
  /** The Archived view's button, under the list. */
  archived?: ReactNode;
  /** The search box; while `searching`, its results stand in for the list. */
  search?: ReactNode;
  searching?: boolean;
  id?: string;
  className?: string;
}

function ConfirmEnd({ session, onConfirm, onClose }: { session: SessionSummary; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-end-title" onClose={onClose}>
      <h2 id="confirm-end-title">End this session?</h2>
      <p>
        “{sessionTitle(session)}” stops its Claude process now. The conversation is kept
        {session.is_resumable ? ' and you can resume it later.' : '.'}
      </p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          onClick={() => {
            onConfirm();
            ref.current?.close();
          }}
        >
          End session
        </button>
      </div>
    </dialog>
  );
}

export function SessionList({
  sessions,
  currentId,
  canAct,
  creating,
  onNew,
  onSelect,
  onResume,
  onDestroy,
  onRename,
  onArchive,
  onDelete,
  archived,
  search,
  searching,
  id,
  className,
}: Props) {
  const now = useNow(30_000);
  const listed = listedSessions(sessions, currentId);
  // A heading before the first row of each date group (Today, Yesterday, …).
  const headings = new Map(groupSessions(listed, now).map((g) => [g.sessions[0]?.session_id ?? '', g.name]));
  const [confirming, setConfirming] = useState<SessionSummary | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<SessionSummary | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button.session-main') ?? [])];
    if (buttons.length === 0) return;
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      e.key === 'Home'
        ? 0
        : e.key === 'End'
          ? buttons.length - 1
          : e.key === 'ArrowDown'
            ? Math.min(buttons.length - 1, i + 1)
            : Math.max(0, i - 1);
    e.preventDefault();
    buttons[next]?.focus();
  };

  return (
    <nav className={`sidebar ${className ?? ''}`} aria-label="Sessions" id={id}>
      <div className="sidebar-head">
        <h2 className="sidebar-title">Sessions</h2>
        <button type="button" className="btn btn-primary btn-new" onClick={onNew} disabled={!canAct || creating}>
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path d="M8 3v10M3 8h10" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
          New session
        </button>
      </div>
      {search}
      {searching ? null : listed.length === 0 ? (
        <p className="sidebar-empty">No sessions yet.</p>
      ) : (
        <ul className="session-list" ref={listRef} onKeyDown={onKeyDown}>
          {listed.map((s) => {
            const heading = headings.get(s.session_id);
            const current = s.session_id === currentId;
            const ended = s.status === 'terminated';
            const title = sessionTitle(s);
            return (
              <Fragment key={s.session_id}>
                {heading && (
                  <li className="session-group">
                    <h3>{heading}</h3>
                  </li>
                )}
                <li className={`session-item${current ? ' current' : ''}${ended && !s.is_resumable ? ' ended' : ''}`}>
                  {renaming === s.session_id && onRename ? (
                    <RenameSession
                      session={s}
                      initial={s.title ?? ''}
                      onSave={(t) => onRename(s.session_id, t)}
                      onDone={() => setRenaming(null)}
                    />
                  ) : (
                    <button
                      type="button"
                      className="session-main"
                      aria-current={current ? 'page' : undefined}
                      disabled={!canAct || (ended && !s.is_resumable && !current)}
                      onClick={() => (ended && s.is_resumable && !current ? onResume(s.session_id) : onSelect(s.session_id))}
                      data-session-id={s.session_id}
                    >
                      <span className="session-title">{title}</span>
                      <span className="session-meta">
                        <WaitingBadge waiting={s.waiting_for} />
                        <span className={`dot dot-${s.status}`} aria-hidden="true" />
                        <span title={statusHint(s)}>{statusLabel(s)}</span>
                        <span aria-hidden="true">·</span>
                        <span>{relativeTime(s.last_active_at, now)}</span>
                      </span>
                      <span className="session-meta">
                        <span>
                          {s.message_count} {s.message_count === 1 ? 'message' : 'messages'}
                        </span>
                        <span aria-hidden="true">·</span>
                        <span>{formatCost(s.total_cost_usd)}</span>
                      </span>
                    </button>
                  )}
                  {renaming !== s.session_id && (
                    <div className="session-actions">
                      <div className="session-icons">
                        {onRename && (
                          <button
                            type="button"
                            className="icon-btn"
                            disabled={!canAct}
                            onClick={() => setRenaming(s.session_id)}
                            aria-label={`Rename ${title}`}
                            title="Rename"
                          >
                            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                              <path
                                d="M10.5 3.5l2 2L6 12H4v-2zM9.5 4.5l2 2"
                                fill="none"
                                stroke="currentColor"
                                strokeWidth="1.4"
                                strokeLinecap="round"
                                strokeLinejoin="round"
                              />
                            </svg>
                          </button>
                        )}
                        {onArchive && (
                          <button
                            type="button"
                            className="icon-btn"
                            disabled={!canAct}
                            onClick={() => {
                              setActionError(null);
                              onArchive(s.session_id).catch((e: unknown) => setActionError(e instanceof Error ? e.message : String(e)));
                            }}
                            aria-label={`Archive ${title}`}
                            title="Archive"
                          >
                            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                              <path
                                d="M2.5 3.5h11v2.5h-11zM3.5 6v6.5h9V6M6.5 8.5h3"
                                fill="none"
                                stroke="currentColor"
                                strokeWidth="1.4"
                                strokeLinecap="round"
                                strokeLinejoin="round"
                              />
                            </svg>
                          </button>
                        )}
                        {onDelete && (
                          <button
                            type="button"
                            className="icon-btn"
                            disabled={!canAct}
                            onClick={() => setDeleting(s)}
                            aria-label={`Delete ${title}`}
                            title="Delete"
                          >
                            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                              <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
                            </svg>
                          </button>
                        )}
                        {!ended && (
                          <button
                            type="button"
                            className="icon-btn"
                            disabled={!canAct}
                            onClick={() => setConfirming(s)}
                            aria-label={`End session ${title}`}
                            title="End session"
                          >
                            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                              <path
                                d="M3 4.5h10M6.5 4.5V3h3v1.5M5 4.5l.6 8.5h4.8l.6-8.5"
                                fill="none"
                                stroke="currentColor"
                                strokeWidth="1.4"
                                strokeLinecap="round"
                                strokeLinejoin="round"
                              />
                            </svg>
                          </button>
                        )}
                      </div>
                    </div>
                  )}
                </li>
              </Fragment>
            );
          })}
        </ul>
      )}
      {actionError && (
        <p role="alert" className="sidebar-empty">
          {actionError}
        </p>
      )}
      {archived}
      {deleting && onDelete && (
        <ConfirmDelete session={deleting} onConfirm={() => onDelete(deleting.session_id)} onClose={() => setDeleting(null)} />
      )}
      {confirming && (
        <ConfirmEnd session={confirming} onConfirm={() => onDestroy(confirming.session_id)} onClose={() => setConfirming(null)} />
      )}
    </nav>
  );
}
