// The message box: Enter sends, Shift+Enter adds a line; Stop while a turn streams.
// Files come with the message (button, paste, drop): see useAttachments.
import { forwardRef, type KeyboardEvent, type ReactNode, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import { MAX_MESSAGE_CHARS, VALIDATION_MESSAGES } from '../../protocol/errors';
import type { SlashCommandInfo } from '../../protocol/messages';
import type { PendingAttachment } from '../attachments';
import { useAttachments } from '../hooks/useAttachments';
import { AttachButton, AttachmentChips } from './AttachmentChips';
import './Composer.css';
import { SlashPalette, useSlashPalette } from './SlashPalette';

export interface ComposerHandle {
  focus(): void;
  focusStop(): void;
  hasFocus(): boolean;
  /** Puts a refused message back: its text (when the box is empty) and its files, with the reason. */
  restore(text: string, attachments: PendingAttachment[], why: string): void;
}

interface Props {
  streaming: boolean;
  /** Why the box is disabled (null: enabled). */
  disabledReason: string | null;
  onSend: (text: string, attachments: PendingAttachment[]) => boolean;
  onStop: () => void;
  /** What the slash palette lists. */
  commands?: SlashCommandInfo[];
  /** Shown above the box (the session's model and mode). */
  toolbar?: ReactNode;
}

export const Composer = forwardRef<ComposerHandle, Props>(function Composer(
  { streaming, disabledReason, onSend, onStop, commands = [], toolbar },
  ref,
) {
  const [text, setText] = useState('');
  const palette = useSlashPalette(text, setText, commands);
  const ta = useRef<HTMLTextAreaElement>(null);
  const stop = useRef<HTMLButtonElement>(null);
  const files = useAttachments();
  useImperativeHandle(ref, () => ({
    focus: () => ta.current?.focus(),
    focusStop: () => stop.current?.focus(),
    hasFocus: () => document.activeElement === ta.current || document.activeElement === stop.current,
    restore: (back, list, why) => {
      setText((t) => (t.trim() ? t : back));
      files.restore(list, why);
    },
  }));

  // Grows with its content up to a limit.
  useLayoutEffect(() => {
    const el = ta.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  });

  const disabled = disabledReason !== null;
  const tooLong = [...text].length > MAX_MESSAGE_CHARS;
  const canSend = !disabled && text.trim().length > 0 && !tooLong;

  const submit = () => {
    if (!canSend) return;
    if (onSend(text, files.list)) {
      setText('');
      files.clear();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (palette.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

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
      <SlashPalette palette={palette} />
      <AttachmentChips files={files} />
      <div className={`composer-box${disabled ? ' is-disabled' : ''}${files.dragging ? ' is-dragging' : ''}`}>
        <textarea
          ref={ta}
          aria-label="Message"
          aria-describedby="composer-hint"
          rows={1}
          value={text}
          placeholder={disabledReason ?? 'Message Claude…'}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={files.onPaste}
          {...palette.inputProps}
        />
        <div className="composer-actions">
          <AttachButton files={files} disabled={disabled} />
          {streaming ? (
            <button ref={stop} type="button" className="btn btn-stop" onClick={onStop}>
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <rect x="3" y="3" width="10" height="10" rx="2" fill="currentColor" />
              </svg>
              Stop
            </button>
          ) : (
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
          )}
        </div>
      </div>
      <p id="composer-hint" className={`composer-hint${disabledReason ? ' sr-only' : ''}`}>
        {disabledReason ? (
          disabledReason
        ) : tooLong ? (
          <span className="hint-error">{VALIDATION_MESSAGES.messageTooLong}</span>
        ) : (
          <>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </>
        )}
      </p>
    </form>
  );
});
