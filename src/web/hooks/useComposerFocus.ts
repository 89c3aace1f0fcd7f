// Where the keyboard goes: into the message box after a switch, a new session or an
// answer, unless the user has put focus somewhere else meanwhile. Never to Stop: a second
// Enter must not stop an answer (Esc does that).
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { ComposerHandle } from '../components/Composer';

export function useComposerFocus(composer: RefObject<ComposerHandle | null>, streaming: boolean): () => void {
  const [wanted, setWanted] = useState(false);
  const request = useCallback(() => setWanted(true), []);

  useEffect(() => {
    if (!wanted) return;
    setWanted(false);
    composer.current?.focus();
  }, [wanted, composer]);

  const wasStreaming = useRef(streaming);
  useEffect(() => {
    if (streaming === wasStreaming.current) return;
    wasStreaming.current = streaming;
    const a = document.activeElement;
    const followsTurn = !a || a === document.body || composer.current?.hasFocus();
    if (followsTurn && !streaming) setWanted(true);
  }, [streaming, composer]);

  return request;
}
