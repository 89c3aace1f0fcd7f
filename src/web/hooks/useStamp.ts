// Ids and times for actions: reducers stay pure, so whatever an action creates is
// stamped here, by the component that dispatches it.
import { useCallback, useRef } from 'react';

export interface Stamp {
  /** Unique among this page's actions. */
  id: string;
  /** Epoch ms. */
  now: number;
}

export function useStamp(): () => Stamp {
  const last = useRef(0);
  return useCallback(() => ({ id: `a${++last.current}`, now: Date.now() }), []);
}
