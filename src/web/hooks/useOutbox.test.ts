// A user_message leaves the page in one place (the outbox): sent now or queued behind a turn;
// Retry sends the last message again with its files; a refusal gives the message back.
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PendingAttachment } from '../attachments';
import type { OutgoingMessage } from '../connection';
import { initialState } from '../state/reducer';
import { emptyTranscript } from '../state/transcripts';
import type { State, Transcript } from '../state/types';
import { QUEUED_STORAGE } from '../storage';
import type { ChatLink } from './useChatConnection';
import { type OutgoingText, useOutbox } from './useOutbox';

const SID = '11111111-1111-4111-8111-111111111111';
const file: PendingAttachment = { key: 'k', name: 'a.txt', media_type: 'text/plain', data: 'aGk=', size: 2, url: null };

function setup(streaming = false, transcript: Partial<Transcript> = {}) {
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
    transcripts: { [SID]: { ...emptyTranscript(), loaded: true, streaming, ...transcript } },
  };
  const { result, rerender } = renderHook(
    ({ owner }: { owner: string | null }) =>
      useOutbox({
        state,
        dispatch: () => undefined,
        link,
        stamp: () => ({ id: String(sent.length), now: 0 }),
        owner,
        onRefused: (id, m, why) => back.push({ id, m, why }),
      }),
    { initialProps: { owner: 'alice' as string | null } },
  );
  return { sent, back, outbox: () => result.current, signIn: (owner: string | null) => rerender({ owner }) };
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

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

  it('Retry after a reload sends the files again, fetched from the server', async () => {
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      // The page's own Blob (jsdom's FileReader reads no other).
      return { ok: true, status: 200, headers: new Headers(), blob: async () => new Blob(['hi'], { type: 'text/plain' }) };
    });
    const views = [{ name: 'a.txt', media_type: 'text/plain', size: 2, remote: { sessionId: SID, id: 'm1.1' } }];
    const { sent, back, outbox } = setup(false, {
      lastUserText: 'look at this',
      items: [{ kind: 'user', id: 'u1', text: 'look at this', messageId: 'm1', attachments: views }],
    });
    act(() => void outbox().retry(SID));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(back).toEqual([]);
    expect(fetched).toEqual([`/api/v1/sessions/${SID}/attachments/m1.1`]);
    expect(sent[0]).toEqual({
      type: 'user_message',
      session_id: SID,
      text: 'look at this',
      attachments: [{ name: 'a.txt', media_type: 'text/plain', data: 'aGk=' }],
    });
  });

  it('Retry after a reload whose files cannot be fetched gives the text back and names the files', async () => {
    vi.stubGlobal('fetch', async () => new Response('{}', { status: 404 }));
    const views = [{ name: 'a.txt', media_type: 'text/plain', size: 2, remote: { sessionId: SID, id: 'm1.1' } }];
    const { sent, back, outbox } = setup(false, {
      lastUserText: 'look at this',
      items: [{ kind: 'user', id: 'u1', text: 'look at this', messageId: 'm1', attachments: views }],
    });
    act(() => void outbox().retry(SID));
    await vi.waitFor(() => expect(back).toHaveLength(1));
    expect(sent).toHaveLength(0);
    expect(back[0]?.m).toEqual({ text: 'look at this', files: [] });
    expect(back[0]?.why).toContain('a.txt');
  });

  it('the queue is kept in this tab for a reload, and forgotten when another user signs in', () => {
    const { outbox, signIn } = setup(true);
    act(() => void outbox().submit(SID, 'next one', [file]));
    expect(JSON.parse(sessionStorage.getItem(QUEUED_STORAGE) ?? '{}')).toEqual({ [SID]: [{ text: 'next one', files: ['a.txt'] }] });
    act(() => signIn('bob'));
    expect(outbox().queued(SID)).toEqual([]);
    expect(sessionStorage.getItem(QUEUED_STORAGE)).toBeNull();
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
