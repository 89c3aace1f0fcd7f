// The composer's file checks, the context figures and the notification text.
import { describe, expect, it } from 'vitest';
import { checkAttachments, mediaTypeOf } from './attachments';
import { formatContext, formatTokens } from './format';
import { notificationFor } from './hooks/useNotifications';
import { latestContext } from './state/transcripts';

const SID = '00000000-0000-4000-8000-000000000001';
const MB = 1024 * 1024;

describe('attachments in the composer', () => {
  it('types code files the browser leaves untyped as text, keeps known types, and refuses SVG', () => {
    expect(mediaTypeOf({ name: 'main.ts', type: '' })).toBe('text/plain');
    expect(mediaTypeOf({ name: 'Dockerfile', type: '' })).toBe('text/plain');
    expect(mediaTypeOf({ name: 'a.png', type: 'image/png' })).toBe('image/png');
    expect(mediaTypeOf({ name: 'x.svg', type: 'image/svg+xml' })).toBe('image/svg+xml');
    expect(mediaTypeOf({ name: 'a.bin', type: '' })).toBe('application/octet-stream');
  });

  it('says what is wrong in the server’s words: type, per-file size, total, count', () => {
    const ok = { name: 'a.png', media_type: 'image/png', size: 1000 };
    expect(checkAttachments([ok])).toBeNull();
    expect(checkAttachments([{ ...ok, name: 'x.svg', media_type: 'image/svg+xml' }])).toMatch(/^x\.svg: image\/svg\+xml is not supported/);
    expect(checkAttachments([{ ...ok, size: 6 * MB }])).toBe('a.png is 6.0 MB; the limit is 5.0 MB per file');
    expect(checkAttachments(Array.from({ length: 5 }, () => ({ ...ok, size: 4.5 * MB })))).toBe(
      'The attachments total 23 MB; the limit is 20 MB per message',
    );
    expect(checkAttachments(Array.from({ length: 21 }, () => ok))).toMatch(/at most 20 attachments/);
  });
});

describe('context figures', () => {
  it('reads token counts at a glance', () => {
    expect([950, 4275, 12_600, 200_000, 1_000_000, 1_500_000].map(formatTokens)).toEqual(['950', '4.3k', '13k', '200k', '1M', '1.5M']);
    expect(formatContext(50_000, 200_000)).toBe('50k of 200k context (25%)');
    expect(formatContext(4275, null)).toBe('4.3k context');
  });

  it('the header shows the newest answer that has figures', () => {
    expect(
      latestContext([
        { kind: 'complete', id: '1', costUsd: 0, turns: 1, contextTokens: 10, contextWindow: 100 },
        { kind: 'complete', id: '2', costUsd: 0, turns: 1, contextTokens: 20, contextWindow: 100 },
        { kind: 'complete', id: '3', costUsd: 0, turns: 1 },
      ]),
    ).toEqual({ tokens: 20, window: 100 });
    expect(latestContext([])).toBeNull();
  });
});

describe('browser notifications', () => {
  const sessions = [
    {
      session_id: SID,
      status: 'idle' as const,
      created_at: '2026-11-30T10:00:00Z',
      last_active_at: '2026-11-30T10:00:00Z',
      message_count: 2,
      total_cost_usd: 0,
      is_resumable: true,
      title: 'Fix the flaky test',
    },
  ];
  it('names the session and the event, never the answer', () => {
    expect(notificationFor({ type: 'response_complete', seq: 1, session_id: SID, cost_usd: 0.01, turn_count: 1 }, sessions)).toEqual({
      title: 'Fix the flaky test',
      body: 'Claude finished answering.',
      tag: `${SID}:response_complete`,
    });
    expect(
      notificationFor(
        {
          type: 'permission_request',
          seq: 2,
          session_id: SID,
          request_id: 'r',
          tool: 'Bash',
          input: { command: 'rm -rf x' },
          timeout_seconds: 60,
        },
        sessions,
      )?.body,
    ).toBe('Claude asks to use Bash.');
    expect(
      notificationFor(
        { type: 'stream_error', seq: 3, session_id: SID, error: 'secret detail', partial_preserved: false, suggested_action: 'retry' },
        sessions,
      )?.body,
    ).toBe('The answer failed.');
    expect(notificationFor({ type: 'stream_delta', seq: 4, session_id: SID, delta: 'x' }, sessions)).toBeNull();
  });
});
