// The session list: a dormant session (its process released to make room) is listed as
// sleeping and opens like an idle one.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../protocol/messages';
import { SessionList } from './SessionList';

const base: SessionSummary = {
  session_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  status: 'dormant',
  created_at: '2026-02-07T10:00:00.000Z',
  last_active_at: '2026-02-07T10:00:00.000Z',
  message_count: 2,
  total_cost_usd: 0.01,
  is_resumable: true,
};

describe('session list', () => {
  afterEach(cleanup);

  it('shows a dormant session as sleeping, and opens it as it would an idle one', () => {
    const onSelect = vi.fn();
    const onResume = vi.fn();
    const { container } = render(
      <SessionList
        sessions={[base]}
        currentId={null}
        canAct
        creating={false}
        onNew={() => {}}
        onSelect={onSelect}
        onResume={onResume}
        onDestroy={() => {}}
      />,
    );
    const label = screen.getByText('Sleeping');
    expect(label.getAttribute('title')).toContain('next message resumes it');
    expect(container.querySelector('.dot-dormant')).not.toBeNull();
    fireEvent.click(container.querySelector(`[data-session-id="${base.session_id}"]`) as HTMLElement);
    expect(onSelect).toHaveBeenCalledWith(base.session_id);
    expect(onResume).not.toHaveBeenCalled();
    // It can still be ended, like any session that has not ended.
    expect(screen.getByRole('button', { name: /^End session/ })).toBeTruthy();
  });
});
