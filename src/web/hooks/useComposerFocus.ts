// Where the keyboard goes: into the message box after a switch, a new session or an
// answer (as soon as the box is enabled), and to Stop while an answer streams, unless the
// user has put focus somewhere else meanwhile.
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { ComposerHandle } from '../components/Composer';

export function useComposerFocus(composer: RefObject<ComposerHandle | null>, enabled: boolean, streaming: boolean): () => void {
  const [wanted, setWanted] = useState(false);
  const request = useCallback(() => setWanted(true), []);

  useEffect(() => {
    if (!wanted || !enabled) return;
    setWanted(false);
    composer.current?.focus();
  }, [wanted, enabled, composer]);

  const wasStreaming = useRef(streaming);
  useEffect(() => {
    if (streaming === wasStreaming.current) return;
    wasStreaming.current = streaming;
    const a = document.activeElement;
    const followsTurn = !a || a === document.body || composer.current?.hasFocus();
    if (!followsTurn) return;
    if (streaming) composer.current?.focusStop();
    else setWanted(true);
  }, [streaming, composer]);

  return request;
}
