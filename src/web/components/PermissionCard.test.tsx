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

  it('without a scope from the server, it names the tool', () => {
    render(<PermissionDock items={[item()]} onAnswer={() => {}} />);
    expect(screen.getByRole('button', { name: 'Always allow Bash in this session' })).toBeTruthy();
  });

  it('the conversation log shows no open prompt, only the record of an answered one', () => {
    const { container } = render(
      <Transcript items={[item(), item({ id: 'p2', requestId: 'r2', answer: 'deny' })]} streaming={false} retrying={null} />,
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
