// The message box: Enter sends, Shift+Enter adds a line. It stays editable while Claude
// answers: a message sent then waits in the queue above the box (cancellable) and goes out
// when the turn ends. Stop sits beside Send and never takes the focus (Esc stops too).
// The text is a draft per session that survives reloads (useDraft); files come with the
// message (button, paste, drop: see useAttachments). A refused message comes back here.
import { forwardRef, type KeyboardEvent, type ReactNode, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import { MAX_MESSAGE_CHARS, VALIDATION_MESSAGES } from '../../protocol/errors';
import type { SlashCommandInfo } from '../../protocol/messages';
import type { PendingAttachment } from '../attachments';
import { useAttachments } from '../hooks/useAttachments';
import { useDraft } from '../hooks/useDraft';
import type { QueuedMessage } from '../hooks/useOutbox';
import { takeQueued } from '../storage';
import { AttachButton, AttachmentChips } from './AttachmentChips';
import './Composer.css';
import { ComposerQueue } from './ComposerQueue';
import { SlashPalette, useSlashPalette } from './SlashPalette';

export interface ComposerHandle {
  focus(): void;
  hasFocus(): boolean;
  /** Puts a refused message back in its session's box (before what is there now), with the reason. */
  restore(sessionKey: string, text: string, attachments: PendingAttachment[], why: string): void;
}

interface Props {
  /** Whose draft the box shows: the open session's id, or '' before there is one. */
  sessionKey: string;
  streaming: boolean;
  /** Why a message cannot be sent right now (null: it can); the box stays editable either way. */
  blockedReason: string | null;
  onSend: (text: string, attachments: PendingAttachment[]) => boolean;
  onStop: () => void;
  /** The open session's messages waiting for the turn to end. */
  queued?: QueuedMessage[];
  onCancelQueued?: (key: string) => QueuedMessage | null;
  /** What the slash palette lists. */
  commands?: SlashCommandInfo[];
  /** Shown above the box (the session's model and mode). */
  toolbar?: ReactNode;
  /** Opens the list of keyboard shortcuts. */
  onShortcuts?: () => void;
}

/** The queue kept for a reload is taken back once per page load (the box mounts again after Settings). */
let keptQueueTaken = false;

const joinText = (first: string, then: string) => (first.trim() && then.trim() ? `${first}\n\n${then}` : first.trim() ? first : then);

export const Composer = forwardRef<ComposerHandle, Props>(function Composer(
  { sessionKey, streaming, blockedReason, onSend, onStop, queued = [], onCancelQueued, commands = [], toolbar, onShortcuts },
  ref,
) {
  const draft = useDraft(sessionKey);
  const { text, setText } = draft;
  const palette = useSlashPalette(text, setText, commands);
  const ta = useRef<HTMLTextAreaElement>(null);
  const files = useAttachments(sessionKey);
  /** Said under a session's box after a refused message came back (cleared by the next edit or send there). */
  const [returned, setReturned] = useState<Record<string, string>>({});
  const note = returned[sessionKey] ?? null;
  const clearNote = () => {
    if (note !== null) setReturned(({ [sessionKey]: _, ...rest }) => rest);
  };
  useImperativeHandle(ref, () => ({
    focus: () => ta.current?.focus(),
    hasFocus: () => !!ta.current && ta.current.closest('form')?.contains(document.activeElement) === true,
    restore: (key, back, list, why) => {
      draft.setFor(key, (t) => joinText(back, t));
      files.restore(key, list, why);
      setReturned((all) => ({ ...all, [key]: why }));
    },
  }));

  // Messages queued when the page was reloaded come back to their boxes, unsent (sending is the
  // person's act: a queue resent on its own could go out hours later). Their files were not kept.
  const { setFor } = draft;
  useEffect(() => {
    if (keptQueueTaken) return;
    keptQueueTaken = true;
    for (const [key, list] of Object.entries(takeQueued())) {
      const text = list
        .map((m) => m.text)
        .filter((t) => t.trim())
        .join('\n\n');
      const names = list.flatMap((m) => m.files);
      setFor(key, (t) => joinText(text, t));
      const why = `It was still queued when the page reloaded.${names.length ? ` Attach ${names.join(', ')} again.` : ''}`;
      setReturned((all) => ({ ...all, [key]: why }));
    }
  }, [setFor]);

  // Grows with its content up to a limit.
  useLayoutEffect(() => {
    const el = ta.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  });

  const tooLong = [...text].length > MAX_MESSAGE_CHARS;
  const canSend = blockedReason === null && text.trim().length > 0 && !tooLong;

  const submit = () => {
    if (!canSend) return;
    if (onSend(text, files.list)) {
      setText('');
      files.clear();
      clearNote();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (palette.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const cancelQueued = (key: string) => {
    const m = onCancelQueued?.(key);
    // Nothing typed is lost: a cancelled message comes back to the box to edit, before what is there.
    if (m) {
      setText(joinText(m.text, text));
      if (m.files.length) files.restore(sessionKey, m.files, '');
      ta.current?.focus();
    }
  };

  const hint = blockedReason ?? (streaming ? 'Claude is answering. Enter queues your message; Esc stops the answer.' : null);

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      {...files.dropProps}
    >
      {toolbar}
      <ComposerQueue items={queued} onCancel={cancelQueued} />
      <SlashPalette palette={palette} />
      <AttachmentChips files={files} />
      <div className={`composer-box${files.dragging ? ' is-dragging' : ''}`}>
        <textarea
          ref={ta}
          aria-label="Message"
          aria-describedby="composer-hint"
          rows={1}
          value={text}
          placeholder={blockedReason ?? (streaming ? 'Queue a message…' : 'Message Claude…')}
          onChange={(e) => {
            setText(e.target.value);
            clearNote();
          }}
          onKeyDown={onKeyDown}
          onPaste={files.onPaste}
          {...palette.inputProps}
        />
        <div className="composer-actions">
          <AttachButton files={files} disabled={false} />
          {streaming && (
            // Never focused by the page (a second Enter must not stop the answer); Esc stops too.
            <button type="button" className="btn btn-stop" onClick={onStop} aria-keyshortcuts="Escape">
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <rect x="3" y="3" width="10" height="10" rx="2" fill="currentColor" />
              </svg>
              Stop
            </button>
          )}
          <button type="submit" className="btn btn-primary btn-send" disabled={!canSend}>
            Send
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
              <path
                d="M8 13V3M3.5 7.5L8 3l4.5 4.5"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.8"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
          </button>
        </div>
      </div>
      <p id="composer-hint" className="composer-hint" role="status">
        {note ? (
          <span className="hint-error">Not sent: {note} Your message is back in the box.</span>
        ) : tooLong ? (
          <span className="hint-error">{VALIDATION_MESSAGES.messageTooLong}</span>
        ) : hint ? (
          hint
        ) : (
          <>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
            {onShortcuts && (
              <>
                {' · '}
                <button type="button" className="link-btn" onClick={onShortcuts}>
                  Keyboard shortcuts
                </button>
              </>
            )}
          </>
        )}
      </p>
    </form>
  );
});
