// Notices from the server and about the connection, above the conversation.
import { formatCountdown, useNow } from '../format';
import type { Banner } from '../state/types';
import './Banners.css';

export type BannerAction = 'resume' | 'use_here' | 'retry' | 'new_session' | 'reconnect_now';

interface BannerProps {
  banner: Banner;
  onAction: (action: BannerAction, banner: Banner) => void;
  onDismiss?: (banner: Banner) => void;
  /** connection banner: when the next attempt starts (epoch ms). */
  reconnectAt?: number | null;
}

const TITLES: Record<Banner['kind'], string> = {
  session_warning: 'Session ending soon',
  session_restarting: 'Session restarting',
  session_terminated: 'Session ended',
  session_opened_elsewhere: 'Opened in another window',
  server_shutting_down: 'Server shutting down',
  stream_error: 'The answer failed',
  connection: 'Connection lost',
  error: 'Error',
};

/** Errors with a title of their own, in the words people use. */
const CODE_TITLES: Record<string, string> = {
  budget_exceeded: 'Monthly budget reached',
  session_limit_reached: 'Session limit reached',
  rate_limited: 'Too many requests',
  capacity_exceeded: 'The server is full',
};

const titleOf = (b: Banner) => (b.kind === 'error' && b.code && CODE_TITLES[b.code]) || TITLES[b.kind];

const TONE: Record<Banner['kind'], 'info' | 'warn' | 'error'> = {
  session_warning: 'warn',
  session_restarting: 'info',
  session_terminated: 'warn',
  session_opened_elsewhere: 'info',
  server_shutting_down: 'warn',
  stream_error: 'error',
  connection: 'warn',
  error: 'error',
};

function Countdown({ deadline }: { deadline: number }) {
  const now = useNow(1000);
  const left = Math.max(0, Math.round((deadline - now) / 1000));
  return <span className="countdown">{formatCountdown(left)} left</span>;
}

function ReconnectIn({ at }: { at: number }) {
  const now = useNow(500);
  const s = Math.max(0, Math.ceil((at - now) / 1000));
  return <span className="countdown">{s > 0 ? `next try in ${s} s` : 'trying now…'}</span>;
}

export function BannerView({ banner, onAction, onDismiss, reconnectAt }: BannerProps) {
  const tone = TONE[banner.kind];
  const urgent = tone === 'error' || banner.kind === 'connection' || banner.kind === 'session_terminated';
  return (
    <div className={`banner banner-${tone}`} role={urgent ? 'alert' : 'status'} data-kind={banner.kind}>
      <span className="banner-icon" aria-hidden="true">
        {tone === 'error' ? '!' : tone === 'warn' ? '⚠' : 'i'}
      </span>
      <div className="banner-body">
        <strong className="banner-title">{titleOf(banner)}</strong>
        <span className="banner-message">{banner.message}</span>
        {banner.kind === 'session_warning' && banner.deadline !== undefined && <Countdown deadline={banner.deadline} />}
        {banner.kind === 'connection' && reconnectAt ? <ReconnectIn at={reconnectAt} /> : null}
      </div>
      <div className="banner-actions">
        {banner.kind === 'session_terminated' && banner.resumeUrl && (
          <a
            className="btn btn-small"
            href={banner.resumeUrl}
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              onAction('resume', banner);
            }}
          >
            Resume
          </a>
        )}
        {banner.kind === 'session_opened_elsewhere' && (
          <button type="button" className="btn btn-small" onClick={() => onAction('use_here', banner)}>
            Use here
          </button>
        )}
        {banner.kind === 'stream_error' && banner.action === 'retry' && (
          <button type="button" className="btn btn-small" onClick={() => onAction('retry', banner)}>
            Retry
          </button>
        )}
        {banner.kind === 'stream_error' && banner.action === 'new_session' && (
          <button type="button" className="btn btn-small" onClick={() => onAction('new_session', banner)}>
            Start a new session
          </button>
        )}
        {banner.kind === 'connection' && (
          <button type="button" className="btn btn-small" onClick={() => onAction('reconnect_now', banner)}>
            Reconnect now
          </button>
        )}
        {onDismiss && banner.kind !== 'connection' && (
          <button
            type="button"
            className="icon-btn icon-btn-sm"
            aria-label={`Dismiss: ${titleOf(banner)}`}
            onClick={() => onDismiss(banner)}
          >
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
              <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
          </button>
        )}
      </div>
    </div>
  );
}

export function Banners(props: {
  banners: Banner[];
  onAction: BannerProps['onAction'];
  onDismiss: (b: Banner) => void;
  reconnectAt: number | null;
}) {
  if (props.banners.length === 0) return null;
  return (
    <div className="banners">
      {props.banners.map((b) => (
        <BannerView key={b.key} banner={b} onAction={props.onAction} onDismiss={props.onDismiss} reconnectAt={props.reconnectAt} />
      ))}
    </div>
  );
}
