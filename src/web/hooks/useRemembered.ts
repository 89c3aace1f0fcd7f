// What outlives a reload: the open session (this tab) and each session's title, its first
// message (this browser).
import { useEffect } from 'react';
import { rememberTitle } from '../format';
import type { State } from '../state/types';
import { CURRENT_STORAGE, tabStorage } from '../storage';

export function useRemembered(state: State): void {
  const { currentId } = state.sessions;
  useEffect(() => {
    if (currentId) tabStorage()?.setItem(CURRENT_STORAGE, currentId);
  }, [currentId]);

  useEffect(() => {
    for (const [id, t] of Object.entries(state.transcripts)) {
      const first = t.items.find((it) => it.kind === 'user');
      if (first?.kind === 'user') rememberTitle(id, first.text);
    }
  }, [state.transcripts]);
}
