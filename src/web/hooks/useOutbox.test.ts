// A user_message leaves the page in one place (the outbox): sent now or queued behind a turn;
// Retry sends the last message again with its files; a refusal gives the message back.
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PendingAttachment } from '../attachments';
import type { OutgoingMessage } from '../connection';
import { initialState } from '../state/reducer';
import { emptyTranscript } from '../state/transcripts';
import type { State } from '../state/types';
import type { ChatLink } from './useChatConnection';
import { type OutgoingText, useOutbox } from './useOutbox';

const SID = '11111111-1111-4111-8111-111111111111';
const file: PendingAttachment = { key: 'k', name: 'a.txt', media_type: 'text/plain', data: 'aGk=', size: 2, url: null };

function setup(streaming = false) {
  const sent: OutgoingMessage[] = [];
  const back: { id: string; m: OutgoingText; why: string }[] = [];
  const link: ChatLink = {
    send: (m) => {
      sent.push(m);
      return true;
    },
    reconnectNow: () => undefined,
    isOpen: () => true,
  };
  const state: State = {
    ...initialState,
    connection: { ...initialState.connection, status: 'open' },
    sessions: { ...initialState.sessions, currentId: SID },
    transcripts: { [SID]: { ...emptyTranscript(), loaded: true, streaming } },
  };
  const { result } = renderHook(() =>
    useOutbox({
      state,
      dispatch: () => undefined,
      link,
      stamp: () => ({ id: String(sent.length), now: 0 }),
      onRefused: (id, m, why) => back.push({ id, m, why }),
    }),
  );
  return { sent, back, outbox: () => result.current };
}

describe('useOutbox', () => {
  it('Retry sends the last message again with its attachments', () => {
    const { sent, outbox } = setup();
    act(() => void outbox().submit(SID, 'look at this', [file]));
    act(() => outbox().onFrame({ type: 'message_received', session_id: SID }));
    act(() => void outbox().retry(SID));
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
    const { sent, outbox } = setup();
    expect(outbox().retry(SID)).toBe(false);
    expect(sent).toHaveLength(0);
  });

  it('during a turn a message is queued, not sent', () => {
    const { sent, outbox } = setup(true);
    act(() => void outbox().submit(SID, 'next one', []));
    expect(sent).toHaveLength(0);
    expect(
      outbox()
        .queued(SID)
        .map((q) => q.text),
    ).toEqual(['next one']);
  });

  it('a refusal before the acknowledgement gives the text and files back', () => {
    const { back, outbox } = setup();
    act(() => void outbox().submit(SID, 'too expensive', [file]));
    act(() => outbox().onFrame({ type: 'error', seq: 3, code: 'budget_exceeded', message: 'Monthly budget reached', session_id: SID }));
    expect(back).toEqual([{ id: SID, m: { text: 'too expensive', files: [file] }, why: 'Monthly budget reached' }]);
  });
});
