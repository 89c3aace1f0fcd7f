// Permission prompts. An open prompt is drawn in the dock between the conversation and
// the message box, outside the log of rendered assistant output and above it in stacking
// order, so nothing an answer contains can cover or imitate it; the log keeps a one-line
// record of each answer.
import { useEffect, useRef, useState } from 'react';
import { shortJson, useNow } from '../format';
import type { AnswerPermission, PermissionItem } from '../state/types';
import './PermissionCard.css';
import { PlanCard } from './PlanCard';
import { QuestionCard } from './QuestionCard';
import { ScrollablePre } from './ScrollablePre';

const ANSWER_TEXT: Record<NonNullable<PermissionItem['answer']>, string> = {
  allow: 'allowed',
  allow_always: 'always allowed in this session',
  deny: 'denied',
  expired: 'no answer',
};

export function PermissionCard({ item, onAnswer }: { item: PermissionItem; onAnswer: AnswerPermission }) {
  const allowRef = useRef<HTMLButtonElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const [telling, setTelling] = useState(false);
  const [note, setNote] = useState('');
  const now = useNow(1000);
  const left = Math.max(0, Math.round((item.receivedAt + item.timeoutSeconds * 1000 - now) / 1000));
  useEffect(() => {
    allowRef.current?.focus();
  }, []);
  useEffect(() => {
    if (telling) noteRef.current?.focus();
  }, [telling]);
  const headingId = `perm-${item.id}`;
  const scopeId = `perm-scope-${item.id}`;
  const warningId = `perm-warning-${item.id}`;
  const noteId = `perm-note-${item.id}`;
  return (
    <section className="permission-card" aria-labelledby={headingId} aria-describedby={item.warning ? warningId : undefined}>
      <h3 id={headingId} className="permission-title">
        Allow {item.tool}?
      </h3>
      {typeof item.input.command === 'string' ? (
        <ScrollablePre className="tool-command">
          <span aria-hidden="true" className="prompt">
            ${' '}
          </span>
          <code>{item.input.command}</code>
        </ScrollablePre>
      ) : (
        <ScrollablePre className="tool-pre">{shortJson(item.input)}</ScrollablePre>
      )}
      {item.warning && (
        <p id={warningId} className="permission-warning">
          <span aria-hidden="true">⚠ </span>
          {item.warning}
        </p>
      )}
      <div className="permission-actions">
        <button ref={allowRef} type="button" className="btn btn-primary" onClick={() => onAnswer(item, 'allow')}>
          Allow
        </button>
        <button type="button" className="btn" onClick={() => onAnswer(item, 'deny')}>
          Deny
        </button>
        {item.alwaysAllowScope && (
          <button type="button" className="btn" aria-describedby={scopeId} onClick={() => onAnswer(item, 'allow_always')}>
            Always allow
          </button>
        )}
        {!telling && (
          <button type="button" className="btn btn-ghost" onClick={() => setTelling(true)}>
            Deny and tell Claude…
          </button>
        )}
      </div>
      {telling && (
        <form
          className="permission-tell"
          onSubmit={(e) => {
            e.preventDefault();
            onAnswer(item, 'deny', note.trim() ? { message: note.trim() } : {});
          }}
        >
          <label htmlFor={noteId}>What should Claude do instead?</label>
          <textarea
            id={noteId}
            ref={noteRef}
            rows={2}
            value={note}
            maxLength={4000}
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <div className="permission-actions">
            <button type="submit" className="btn btn-primary">
              Deny and send
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setTelling(false)}>
              Back
            </button>
          </div>
        </form>
      )}
      {item.alwaysAllowScope && (
        // The server's sentence: exactly what Always allow would allow from now on in this session.
        <p id={scopeId} className="permission-scope">
          <span className="permission-scope-label">Always allow covers:</span> {item.alwaysAllowScope}
        </p>
      )}
      <p className="permission-timeout">Denied automatically in {left} s.</p>
    </section>
  );
}

/** The line an answered (or expired) prompt leaves in the conversation. */
export function PermissionRecord({ item }: { item: PermissionItem }) {
  const headingId = `perm-${item.id}`;
  return (
    <section className="permission-card answered" aria-labelledby={headingId}>
      <h3 id={headingId} className="permission-title">
        {item.tool}: {ANSWER_TEXT[item.answer ?? 'expired']}
      </h3>
    </section>
  );
}

/** The open prompts of the shown session, in their own layer above the conversation. */
export function PermissionDock({ items, onAnswer }: { items: PermissionItem[]; onAnswer: AnswerPermission }) {
  if (items.length === 0) return null;
  return (
    <div className="permission-dock">
      {items.map((it) =>
        it.tool === 'ExitPlanMode' ? (
          <PlanCard key={it.id} item={it} onAnswer={onAnswer} />
        ) : it.tool === 'AskUserQuestion' ? (
          <QuestionCard key={it.id} item={it} onAnswer={onAnswer} />
        ) : (
          <PermissionCard key={it.id} item={it} onAnswer={onAnswer} />
        ),
      )}
    </div>
  );
}
