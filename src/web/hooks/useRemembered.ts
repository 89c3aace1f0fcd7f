// What outlives a reload: the open session (this tab). Titles are the server's.
import { useEffect } from 'react';
import type { State } from '../state/types';
import { CURRENT_STORAGE, tabStorage } from '../storage';

export function useRemembered(state: State): void {
  const { currentId } = state.sessions;
  useEffect(() => {
    if (currentId) tabStorage()?.setItem(CURRENT_STORAGE, currentId);
  }, [currentId]);
}
