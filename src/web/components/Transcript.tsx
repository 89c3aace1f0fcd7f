// The conversation: user messages, streamed Markdown answers, tool cards, the record of
// each permission answer and the cost line of each answer.
import { useEffect, useLayoutEffect, useRef } from 'react';
import { formatContext, formatCost } from '../format';
import { useFollow } from '../hooks/useFollow';
import type { Item } from '../state/types';
import { Markdown } from './Markdown';
import { MessageActions } from './MessageActions';
import { MessageAttachments } from './MessageAttachments';
import { PermissionRecord } from './PermissionCard';
import { ToolCard } from './ToolCard';
import './Transcript.css';

function TypingDots() {
  return (
    <div className="typing" role="status" aria-label="Claude is answering">
      <span />
      <span />
      <span />
    </div>
  );
}

/** Earlier messages of a long conversation, loaded on demand (a button, or scrolling to the top). */
export interface EarlierMessages {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
}

export function Transcript({
  sessionKey,
  items,
  streaming,
  retrying,
  empty,
  earlier,
}: {
  /** The open session ('' before there is one): another one opens at its end. */
  sessionKey: string;
  items: Item[];
  streaming: boolean;
  retrying: { attempt: number; max: number } | null;
  empty?: React.ReactNode;
  earlier?: EarlierMessages;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const follow = useFollow(scroller, content, items, sessionKey);
  const anchor = useRef<{ first: string | undefined; height: number }>({ first: undefined, height: 0 });
  const latest = useRef(earlier);
  latest.current = earlier;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = items[0]?.id;
    const prev = anchor.current;
    // Earlier messages went in above: keep what the reader sees where it was.
    const prepended = prev.first !== undefined && first !== prev.first && items.some((it) => it.id === prev.first);
    if (follow.following.current) follow.toBottom();
    else if (prepended) el.scrollTop += el.scrollHeight - prev.height;
    anchor.current = { first, height: el.scrollHeight };
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      const e = latest.current;
      if (e?.hasMore && !e.loading && el.scrollTop < 60 && el.scrollHeight > el.clientHeight) e.onLoad();
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);
  // A tool call waiting on a permission prompt says so instead of "Running…".
  const awaiting = new Set<string>();
  items.forEach((it, i) => {
    if (it.kind !== 'permission' || it.answer !== null) return;
    for (let j = i - 1; j >= 0; j--) {
      const prev = items[j];
      if (prev?.kind === 'tool' && prev.tool === it.tool && prev.status === 'executing') {
        awaiting.add(prev.id);
        break;
      }
    }
  });
  const firstUser = items.find((it) => it.kind === 'user')?.id;
  const last = items[items.length - 1];
  const waiting = streaming && !(last?.kind === 'assistant' && last.streaming) && last?.kind !== 'permission';
  return (
    <div className="transcript-scroll" ref={scroller}>
      {earlier?.hasMore && (
        <div className="load-earlier">
          {earlier.loading ? (
            <span role="status">Loading earlier messages…</span>
          ) : (
            <button type="button" className="btn btn-ghost btn-small" onClick={earlier.onLoad}>
              Load earlier messages
            </button>
          )}
        </div>
      )}
      <div ref={content} className="transcript" role="log" aria-label="Conversation" aria-live="polite" aria-busy={streaming} tabIndex={-1}>
        {items.length === 0 && !streaming && empty}
        {items.map((it) => {
          switch (it.kind) {
            case 'user':
              return (
                <div key={it.id} className={`msg msg-user${it.pending ? ' pending' : ''}`}>
                  {it.attachments && <MessageAttachments items={it.attachments} />}
                  <div className="bubble">{it.text}</div>
                  {it.messageId && !it.pending && <MessageActions messageId={it.messageId} canFork={it.id !== firstUser} />}
                </div>
              );
            case 'assistant':
              return (
                <div key={it.id} className="msg msg-assistant">
                  <Markdown text={it.text} streaming={it.streaming} />
                  {it.streaming && <span className="caret" aria-hidden="true" />}
                </div>
              );
            case 'tool':
              return <ToolCard key={it.id} item={it} awaiting={awaiting.has(it.id)} />;
            case 'permission':
              // An open prompt is shown in the permission dock, outside this log (see PermissionDock).
              return it.answer === null ? null : <PermissionRecord key={it.id} item={it} />;
            case 'complete':
              return (
                <div key={it.id} className="answer-meta">
                  <span>{formatCost(it.costUsd)}</span>
                  <span aria-hidden="true">·</span>
                  <span>
                    {it.turns} {it.turns === 1 ? 'turn' : 'turns'}
                  </span>
                  {it.contextTokens !== undefined && (
                    <>
                      <span aria-hidden="true">·</span>
                      <span>{formatContext(it.contextTokens, it.contextWindow ?? null)}</span>
                    </>
                  )}
                </div>
              );
            case 'notice':
              return (
                <div key={it.id} className={`notice notice-${it.tone}`}>
                  {it.text}
                </div>
              );
            default:
              return null;
          }
        })}
        {retrying && (
          <div className="notice notice-info" role="status">
            The model is busy; retrying (attempt {retrying.attempt} of {retrying.max})…
          </div>
        )}
        {waiting && <TypingDots />}
      </div>
      {!follow.atEnd && (
        <button type="button" className="jump-btn" onClick={follow.resume}>
          Jump to latest
        </button>
      )}
    </div>
  );
}
