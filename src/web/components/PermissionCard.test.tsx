// The permission prompt: what Always allow covers, and that it lives outside the conversation log.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PermissionItem } from '../state/types';
import { PermissionDock } from './PermissionCard';
import { Transcript } from './Transcript';

function item(over: Partial<PermissionItem> = {}): PermissionItem {
  return {
    kind: 'permission',
    id: 'p1',
    requestId: 'r1',
    tool: 'Bash',
    input: { command: 'git status' },
    timeoutSeconds: 60,
    receivedAt: Date.now(),
    alwaysAllowScope: null,
    answer: null,
    ...over,
  };
}

describe('permission prompt', () => {
  afterEach(cleanup);

  it('Always allow says exactly what it allows, in the server’s words', () => {
    const onAnswer = vi.fn();
    const it1 = item({ alwaysAllowScope: 'Bash commands starting with "git"' });
    render(<PermissionDock items={[it1]} onAnswer={onAnswer} />);
    const prompt = screen.getByRole('region', { name: 'Allow Bash?' });
    expect(prompt.textContent).toContain('git status');
    const always = screen.getByRole('button', { name: 'Always allow' });
    expect(always.getAttribute('aria-describedby')).toBeTruthy();
    const scope = document.getElementById(always.getAttribute('aria-describedby') ?? '');
    expect(scope?.textContent).toBe('Always allow covers: Bash commands starting with "git"');
    fireEvent.click(always);
    expect(onAnswer).toHaveBeenCalledWith(it1, 'allow_always');
    expect(screen.getByRole('button', { name: 'Allow' })).toBe(document.activeElement);
  });

  it('without a scope from the server there is no Always allow, and the warning is shown', () => {
    render(<PermissionDock items={[item({ input: { command: 'rm -rf x' }, warning: 'Rm deletes files.' })]} onAnswer={() => {}} />);
    expect(screen.queryByRole('button', { name: /Always allow/ })).toBeNull();
    expect(screen.getByRole('region', { name: 'Allow Bash?' }).getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByText('Rm deletes files.')).toBeTruthy();
  });

  it('Deny and tell Claude sends the note with the denial', () => {
    const onAnswer = vi.fn();
    const it1 = item();
    render(<PermissionDock items={[it1]} onAnswer={onAnswer} />);
    fireEvent.click(screen.getByRole('button', { name: 'Deny and tell Claude…' }));
    const box = screen.getByRole('textbox', { name: 'What should Claude do instead?' });
    expect(box).toBe(document.activeElement);
    fireEvent.change(box, { target: { value: 'use git diff instead' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deny and send' }));
    expect(onAnswer).toHaveBeenCalledWith(it1, 'deny', { message: 'use git diff instead' });
  });

  it('the conversation log shows no open prompt, only the record of an answered one', () => {
    const { container } = render(
      <Transcript
        sessionKey="s1"
        items={[item(), item({ id: 'p2', requestId: 'r2', answer: 'deny' })]}
        streaming={false}
        retrying={null}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Allow' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Bash: denied' })).toBeTruthy();
    expect(container.querySelectorAll('.permission-card')).toHaveLength(1);
  });

  it('an empty dock renders nothing', () => {
    const { container } = render(<PermissionDock items={[]} onAnswer={() => {}} />);
    expect(container.innerHTML).toBe('');
  });
});
