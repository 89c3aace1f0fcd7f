// The header switch for browser notifications (off by default).
import type { Notifications } from '../hooks/useNotifications';
import './NotificationToggle.css';

const HINT: Record<Notifications['state'], string> = {
  on: 'You are notified when an answer ends, fails or needs your permission while this tab is hidden',
  off: 'Get a browser notification when an answer ends, fails or needs your permission while this tab is hidden',
  blocked: 'This browser blocks notifications from this site: allow them in its site settings',
  unsupported: 'This browser has no notifications',
};

export function NotificationToggle({ notifications }: { notifications: Notifications }) {
  const { state } = notifications;
  return (
    <button
      type="button"
      className="btn btn-ghost btn-small notify-toggle"
      aria-pressed={state === 'on'}
      disabled={state === 'unsupported' || state === 'blocked'}
      title={HINT[state]}
      onClick={() => void notifications.toggle()}
    >
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path
          d="M4 7a4 4 0 018 0v2.5l1.2 2H2.8L4 9.5zM6.5 13.5a1.6 1.6 0 003 0"
          fill={state === 'on' ? 'currentColor' : 'none'}
          stroke="currentColor"
          strokeWidth="1.4"
          strokeLinejoin="round"
        />
      </svg>
      <span className="notify-label">Notifications</span>
    </button>
  );
}
