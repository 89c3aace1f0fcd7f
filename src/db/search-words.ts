// What search reads, shared by every engine (the semantics are in ports.ts, HistoryRepository).
import type { HistoryMessage } from '../protocol/messages.js';

/** At most this many words of a query are used. */
export const MAX_SEARCH_WORDS = 16;

/** Text that search finds: what the user and the assistant wrote (tool calls and their output are left out). */
export function searchTextOf(m: HistoryMessage): string {
  return m.type === 'user' || m.type === 'assistant' ? m.text : '';
}

/** A search box's words: runs of letters, digits and `_`; everything else only separates them. */
export function searchWords(q: string): string[] {
  return q.match(/[\p{L}\p{N}_]+/gu)?.slice(0, MAX_SEARCH_WORDS) ?? [];
}
