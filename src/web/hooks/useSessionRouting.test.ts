// A user_message leaves the page in one place; Retry sends the last message again with its files.
import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PendingAttachment } from '../attachments';
import type { OutgoingMessage } from '../connection';
import { initialState } from '../state/reducer';
import type { State } from '../state/types';
import type { ChatLink } from './useChatConnection';
import { useSessionRouting } from './useSessionRouting';

const SID = '11111111-1111-4111-8111-111111111111';

function setup() {
  const sent: OutgoingMessage[] = [];
  const link: ChatLink = {
    send: (m) => {
      sent.push(m);
      return true;
    },
    reconnectNow: () => undefined,
    isOpen: () => true,
  };
  const state: State = { ...initialState, sessions: { ...initialState.sessions, currentId: SID } };
  const { result } = renderHook(() =>
    useSessionRouting({
      state,
      dispatch: () => undefined,
      link,
      stamp: () => ({ id: String(sent.length), now: 0 }),
      resume: null,
      onOpened: () => undefined,
    }),
  );
  return { sent, routing: () => result.current };
}

describe('useSessionRouting', () => {
  it('Retry sends the last message again with its attachments', () => {
    const { sent, routing } = setup();
    const file: PendingAttachment = { key: 'k', name: 'a.txt', media_type: 'text/plain', data: 'aGk=', size: 2, url: null };
    expect(routing().sendText('look at this', [file])).toBe(true);
    expect(routing().retry(SID)).toBe(true);
    expect(sent).toHaveLength(2);
    for (const m of sent)
      expect(m).toEqual({
        type: 'user_message',
        session_id: SID,
        text: 'look at this',
        attachments: [{ name: 'a.txt', media_type: 'text/plain', data: 'aGk=' }],
      });
  });

  it('Retry with nothing sent in this page sends nothing', () => {
    const { sent, routing } = setup();
    expect(routing().retry(SID)).toBe(false);
    expect(sent).toHaveLength(0);
  });
});
