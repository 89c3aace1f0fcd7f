// The header names the signed-in user once (issue 18 item 7): no "admin admin".
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../protocol/messages';
import { AccountMenu } from './AccountMenu';

const me = (name: string, role: 'admin' | 'member') => ({ user_id: 'u1', name, role }) as unknown as MeResponse;

describe('account menu', () => {
  afterEach(cleanup);

  it('an admin named admin reads "admin" once', () => {
    render(<AccountMenu me={me('admin', 'admin')} onSignOut={() => {}} />);
    expect(screen.getByRole('button', { name: /^Signed in as\s*admin$/ })).toBeTruthy();
  });

  it('another admin keeps the badge', () => {
    render(<AccountMenu me={me('Alice', 'admin')} onSignOut={() => {}} />);
    expect(screen.getByRole('button', { name: /^Signed in as\s*Alice\s*admin$/ })).toBeTruthy();
  });
});
