// Banners the server only sends from its monitor (session_warning,
// session_restarting) are covered here; the others also run end to end.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '../../protocol/messages';
import { initialState, reducer } from '../state/reducer';
import type { State } from '../state/types';
import { type BannerAction, Banners, BannerView } from './Banners';

const SID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function apply(frames: ServerFrame[], now = Date.now(), from: State = initialState): State {
  return frames.reduce((s, frame, i) => reducer(s, { type: 'frame', frame, id: `f${i}`, now }), from);
}

describe('banners', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-02-07T10:00:00Z'));
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('session_warning counts down from remaining_seconds', () => {
    const state = apply([
      {
        type: 'session_warning',
        seq: 1,
        session_id: SID,
        event_id: 1,
        reason: 'duration',
        remaining_seconds: 90,
        message: 'Session will end in 2 minutes. Save your work.',
      },
    ]);
    expect(state.banners).toHaveLength(1);
    render(<Banners banners={state.banners} onAction={() => {}} onDismiss={() => {}} reconnectAt={null} />);
    const banner = screen.getByRole('status');
    expect(banner.textContent).toContain('Session ending soon');
    expect(banner.textContent).toContain('Session will end in 2 minutes. Save your work.');
    expect(banner.textContent).toContain('1:30 left');
    act(() => {
      vi.advanceTimersByTime(31_000);
    });
    expect(banner.textContent).toContain('0:59 left');
    act(() => {
      vi.advanceTimersByTime(120_000);
    });
    expect(banner.textContent).toContain('0:00 left');
  });

  it('session_restarting shows its message and goes away when the next answer completes', () => {
    let state = apply([
      {
        type: 'session_restarting',
        seq: 1,
        session_id: SID,
        event_id: 1,
        reason: 'memory_limit',
        message: 'Session restarting to maintain performance. Your conversation will be preserved.',
      },
    ]);
    render(<Banners banners={state.banners} onAction={() => {}} onDismiss={() => {}} reconnectAt={null} />);
    const banner = screen.getByRole('status');
    expect(banner.textContent).toContain('Session restarting');
    expect(banner.textContent).toContain('Your conversation will be preserved.');
    state = apply([{ type: 'response_complete', seq: 2, session_id: SID, event_id: 2, cost_usd: 0.01, turn_count: 1 }], Date.now(), state);
    expect(state.banners).toHaveLength(0);
  });

  it('session_terminated offers Resume, opened elsewhere offers Use here, stream_error offers Retry', () => {
    const state = apply([
      {
        type: 'session_terminated',
        seq: 1,
        session_id: SID,
        event_id: 1,
        reason: 'duration_limit',
        message: 'Session ended (4-hour limit reached).',
        resume_url: `/chat?resume=${SID}`,
      },
      { type: 'session_opened_elsewhere', seq: 2, session_id: SID, message: 'This session was opened in another window.' },
      {
        type: 'stream_error',
        seq: 3,
        session_id: SID,
        event_id: 2,
        error: 'Response interrupted due to API timeout',
        partial_preserved: true,
        suggested_action: 'retry',
      },
    ]);
    const actions: BannerAction[] = [];
    render(<Banners banners={state.banners} onAction={(a) => actions.push(a)} onDismiss={() => {}} reconnectAt={null} />);
    const resume = screen.getByRole('link', { name: 'Resume' });
    expect(resume.getAttribute('href')).toBe(`/chat?resume=${SID}`);
    fireEvent.click(resume);
    fireEvent.click(screen.getByRole('button', { name: 'Use here' }));
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(actions).toEqual(['resume', 'use_here', 'retry']);
  });

  it('server_shutting_down and connection lost', () => {
    let state = apply([{ type: 'server_shutting_down', seq: 1, message: 'The server is shutting down.' }]);
    state = reducer(state, { type: 'conn', status: 'reconnecting', reconnectAt: Date.now() + 4000, attempt: 2 });
    const onAction = vi.fn();
    render(<Banners banners={state.banners} onAction={onAction} onDismiss={() => {}} reconnectAt={state.connection.reconnectAt} />);
    expect(screen.getByRole('status').textContent).toContain('Server shutting down');
    const lost = screen.getByRole('alert');
    expect(lost.textContent).toContain('Connection lost');
    expect(lost.textContent).toContain('next try in 4 s');
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect now' }));
    expect(onAction).toHaveBeenCalledWith('reconnect_now', expect.objectContaining({ kind: 'connection' }));
    // A new connection's session_list clears both.
    state = reducer(state, { type: 'conn', status: 'open', reconnectAt: null, attempt: 0 });
    state = apply([{ type: 'session_list', seq: 1, sessions: [] }], Date.now(), state);
    expect(state.banners).toHaveLength(0);
  });

  it('a dismissible banner can be closed', () => {
    const onDismiss = vi.fn();
    render(
      <BannerView
        banner={{ key: 'shutdown', kind: 'server_shutting_down', sessionId: null, message: 'Bye.' }}
        onAction={() => {}}
        onDismiss={onDismiss}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Server shutting down' }));
    expect(onDismiss).toHaveBeenCalled();
  });

  it('a refused message over the budget is titled "Monthly budget reached"', () => {
    const state = apply([
      {
        type: 'error',
        code: 'budget_exceeded',
        message: 'Monthly budget of $1.00 reached ($1.02 spent). It resets on 2026-03-01.',
        session_id: SID,
      } as ServerFrame,
    ]);
    render(<Banners banners={state.banners} onAction={() => {}} onDismiss={() => {}} reconnectAt={null} />);
    const banner = screen.getByRole('alert');
    expect(banner.querySelector('.banner-title')?.textContent).toBe('Monthly budget reached');
    expect(banner.textContent).toContain('It resets on 2026-03-01.');
  });
});
