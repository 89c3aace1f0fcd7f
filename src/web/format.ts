// Small formatting helpers shared by the components.
import { useEffect, useState } from 'react';
import type { SessionSummary } from '../protocol/messages';

export function formatCost(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** 950, 4.3k, 200k, 1M: token counts at a glance. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${n < 10_000 ? (n / 1000).toFixed(1).replace(/\.0$/, '') : Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** "4.3k of 1M context (0%)", or without the window when unknown. */
export function formatContext(tokens: number, window: number | null): string {
  if (!window) return `${formatTokens(tokens)} context`;
  const pct = Math.min(100, Math.round((tokens / window) * 100));
  return `${formatTokens(tokens)} of ${formatTokens(window)} context (${pct}%)`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 7) return `${d} d ago`;
  return new Date(t).toLocaleDateString();
}

/** JSON for people: indented. */
export function shortJson(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? '';
}

/** Re-renders every `ms` with the current time. */
export function useNow(ms: number, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms, enabled]);
  return now;
}

// ---------------------------------------------------------------- session titles
// The server names each session (its first message, or a rename); before the first
// message it has none, and the time it was created stands in.

export function sessionTitle(s: SessionSummary): string {
  if (s.title) return s.title;
  const d = new Date(s.created_at);
  return `Session ${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${d.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  })}`;
}

export function statusLabel(s: SessionSummary): string {
  // An ended session that can be resumed is like a sleeping one: the next message resumes it.
  if (s.status === 'terminated') return s.is_resumable ? 'Sleeping' : 'Ended';
  if (s.status === 'creating') return 'Starting';
  if (s.status === 'active') return 'Active';
  // Its process was released to make room; the next message resumes it.
  if (s.status === 'dormant') return 'Sleeping';
  return 'Idle';
}

/** A longer word on the status, where the label alone does not say enough. */
export function statusHint(s: SessionSummary): string | undefined {
  if (s.status === 'dormant') return 'Its Claude process was stopped to make room for others; your next message resumes it.';
  if (s.status === 'terminated' && s.is_resumable) return 'Its Claude process has stopped; open it and your next message resumes it.';
  return undefined;
}
