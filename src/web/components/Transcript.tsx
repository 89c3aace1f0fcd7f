// The conversation: user messages, streamed Markdown answers, tool cards,
// permission prompts and the cost line of each answer.
import { type MouseEvent, memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatCost, formatDuration, shortJson } from '../format';
import { renderMarkdown } from '../markdown';
import type { Item, ToolItem } from '../store';
import { PermissionRecord } from './PermissionCard';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

function onCopyClick(e: MouseEvent<HTMLDivElement>): void {
  const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-copy]');
  if (!btn) return;
  const code = btn.closest('.code-block')?.querySelector('code')?.textContent ?? '';
  void copyText(code).then((ok) => {
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => {
      btn.textContent = 'Copy';
    }, 1500);
  });
}

export const Markdown = memo(function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const html = useMemo(() => renderMarkdown(text, streaming), [text, streaming]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the copy buttons inside are real buttons; this only delegates their clicks
    // biome-ignore lint/a11y/noStaticElementInteractions: same
    // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML comes out of DOMPurify (see markdown.ts)
    <div className="markdown" onClick={onCopyClick} dangerouslySetInnerHTML={{ __html: html }} />
  );
});

/** The one line that says what a tool call does. */
function toolSummary(tool: string, input: Record<string, unknown>): string | null {
  for (const k of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
    const v = input[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return Object.keys(input).length ? null : tool;
}

function resultText(result: Record<string, unknown>): string {
  const keys = Object.keys(result);
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'error') && typeof result[keys[0]] === 'string')
    return result[keys[0]] as string;
  return shortJson(result);
}

const LONG_LINES = 12;
const LONG_CHARS = 800;

const STATUS_TEXT: Record<ToolItem['status'], string> = { executing: 'Running…', success: 'Succeeded', error: 'Failed' };

export const ToolCard = memo(function ToolCard({ item, awaiting = false }: { item: ToolItem; awaiting?: boolean }) {
  const summary = toolSummary(item.tool, item.input);
  const isCommand = typeof item.input.command === 'string';
  const otherInput = Object.fromEntries(
    Object.entries(item.input).filter(([k]) => !(isCommand && (k === 'command' || k === 'description'))),
  );
  const text = item.result ? resultText(item.result) : '';
  const lines = text.split('\n').length;
  const long = lines > LONG_LINES || text.length > LONG_CHARS;
  return (
    <article className={`tool-card tool-${item.status}`} aria-label={`Tool call: ${item.tool}`}>
      <header className="tool-head">
        <span className="tool-icon" aria-hidden="true">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path
              d="M3 4.5l3 3-3 3M8 11h5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.6"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        </span>
        <span className="tool-name">{item.tool}</span>
        {summary && !isCommand && <span className="tool-summary">{summary}</span>}
        <span className="tool-meta">
          <span className={`tool-status status-${awaiting ? 'awaiting' : item.status}`} role="status">
            {item.status === 'executing' && !awaiting && <span className="spinner" aria-hidden="true" />}
            {awaiting ? 'Awaiting approval' : STATUS_TEXT[item.status]}
          </span>
          {item.durationMs !== null && <span className="tool-duration">{formatDuration(item.durationMs)}</span>}
        </span>
      </header>
      {isCommand && (
        <pre className="tool-command">
          <span aria-hidden="true" className="prompt">
            ${' '}
          </span>
          <code>{item.input.command as string}</code>
        </pre>
      )}
      {Object.keys(otherInput).length > 0 && (
        <details className="tool-section" open={!isCommand && Object.keys(otherInput).length <= 4}>
          <summary>Input</summary>
          <pre className="tool-pre">{shortJson(otherInput)}</pre>
        </details>
      )}
      {item.result &&
        (long ? (
          <details className="tool-section">
            <summary>
              {item.status === 'error' ? 'Error' : 'Result'} ({lines} lines) — show
            </summary>
            <pre className="tool-pre">{text}</pre>
          </details>
        ) : (
          <div className="tool-section">
            <div className="tool-label">{item.status === 'error' ? 'Error' : 'Result'}</div>
            <pre className={`tool-pre${item.status === 'error' ? ' tool-pre-error' : ''}`}>{text || '(no output)'}</pre>
          </div>
        ))}
    </article>
  );
});

function TypingDots() {
  return (
    <div className="typing" role="status" aria-label="Claude is answering">
      <span />
      <span />
      <span />
    </div>
  );
}

export function Transcript({
  items,
  streaming,
  retrying,
  empty,
}: {
  items: Item[];
  streaming: boolean;
  retrying: { attempt: number; max: number } | null;
  empty?: React.ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [, force] = useState(0);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      if (stick.current !== atBottom) {
        stick.current = atBottom;
        force((n) => n + 1);
      }
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
  const last = items[items.length - 1];
  const waiting = streaming && !(last?.kind === 'assistant' && last.streaming) && last?.kind !== 'permission';
  return (
    <div className="transcript-scroll" ref={scroller}>
      <div className="transcript" role="log" aria-label="Conversation" aria-live="polite" aria-busy={streaming} tabIndex={-1}>
        {items.length === 0 && !streaming && empty}
        {items.map((it) => {
          switch (it.kind) {
            case 'user':
              return (
                <div key={it.id} className={`msg msg-user${it.pending ? ' pending' : ''}`}>
                  <div className="bubble">{it.text}</div>
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
      {!stick.current && (
        <button
          type="button"
          className="jump-btn"
          onClick={() => {
            const el = scroller.current;
            if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
          }}
        >
          Jump to latest
        </button>
      )}
    </div>
  );
}
