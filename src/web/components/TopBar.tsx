// The bar above the conversation: the phone menu button, the open session's title and
// status, the connection state and the signed-in user.
import type { ReactNode, Ref } from 'react';
import type { MeResponse, SessionSummary } from '../../protocol/messages';
import { sessionTitle, statusHint, statusLabel } from '../format';
import type { Notifications } from '../hooks/useNotifications';
import type { ConnStatus } from '../state/types';
import { AccountMenu } from './AccountMenu';
import { Logo } from './Logo';
import { NotificationToggle } from './NotificationToggle';
import { SessionUsage } from './SessionUsage';
import './status.css';
import './TopBar.css';

interface Props {
  session: SessionSummary | null;
  conn: ConnStatus;
  menuOpen: boolean;
  menuButton: Ref<HTMLButtonElement>;
  navId: string;
  onMenu: () => void;
  me: MeResponse;
  onSignOut: () => void;
  /** Context after the newest answer (null: none yet). */
  context?: { tokens: number; window: number | null } | null;
  notifications?: Notifications;
  /** Actions on the open session (Export). */
  actions?: ReactNode;
}

export function TopBar({
  session,
  conn,
  menuOpen,
  menuButton,
  navId,
  onMenu,
  me,
  onSignOut,
  context = null,
  notifications,
  actions,
}: Props) {
  const label = conn === 'open' ? 'Connected' : conn === 'reconnecting' ? 'Reconnecting' : 'Connecting';
  return (
    <header className="topbar">
      <button
        ref={menuButton}
        type="button"
        className="icon-btn menu-btn"
        aria-label="Open sessions"
        aria-expanded={menuOpen}
        aria-controls={navId}
        onClick={onMenu}
      >
        <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
          <path d="M2.5 4h11M2.5 8h11M2.5 12h11" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      </button>
      <div className="topbar-title">
        <Logo size={22} />
        <h1>{session ? sessionTitle(session) : 'Claude SDK Pattern'}</h1>
        {session && (
          <span className={`badge badge-${session.status}`} title={statusHint(session)}>
            {statusLabel(session)}
          </span>
        )}
      </div>
      <div className="topbar-right">
        {session && <SessionUsage session={session} context={context} />}
        {notifications && <NotificationToggle notifications={notifications} />}
        {actions}
        <span className={`conn-pill conn-${conn}`} title={label}>
          <span className="dot" aria-hidden="true" />
          <span className="conn-label">{label}</span>
        </span>
        <AccountMenu me={me} onSignOut={onSignOut} />
      </div>
    </header>
  );
}
