// Search on PostgreSQL as SQLite's FTS5 (unicode61, remove_diacritics 2) does it, by tokenizing here rather
// than with PostgreSQL's parser (which keeps `example.com`, `foo-bar` and paths as single tokens): text splits
// at every character that is not a letter, digit or private-use character; tokens are lower-cased per
// character with their combining diacritics (U+0300–U+036F once decomposed) dropped. The tsvector is written as
// a literal of exactly these lexemes with their positions, and a query becomes a tsquery literal of the same
// lexemes: `word:*` per query word, `a <-> b:*` for a word the tokenizer cuts (`foo_bar`), all ANDed. Nothing a
// user types reaches the query as syntax. The snippet picks the 16-token window with the most query words, as
// FTS5's snippet() does.
import { searchWords } from '../search-words.js';

export interface Token {
  /** Lower-cased, without diacritics. */
  text: string;
  /** Offsets in the original string: [start, end). */
  start: number;
  end: number;
}

const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const DIACRITIC = /[\u0300-\u036f]/u;
const DIACRITICS = /[\u0300-\u036f]/gu;
const LATIN = /\p{Script=Latin}/u;
/** Where case folding (as FTS5 folds) differs from lower-casing one character. */
const FOLD_MORE: Record<string, string> = { ς: 'σ', ſ: 's' };

/**
 * One code point as it counts in a token: '' for a combining diacritic, null for a separator. Like FTS5,
 * only Latin letters lose their accents (`é` → `e`; Greek `ά` and Cyrillic `й` stay as they are).
 */
function fold(ch: string): string | null {
  if (DIACRITIC.test(ch)) return '';
  if (!TOKEN_CHAR.test(ch)) return null;
  // Per character, so no context rule (Greek final sigma) makes the same letter fold two ways.
  const lower = FOLD_MORE[ch] ?? ch.toLowerCase();
  const base = lower.normalize('NFD').replace(DIACRITICS, '');
  return LATIN.test(base) ? base : lower;
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let cur: Token | null = null;
  let i = 0;
  for (const ch of text) {
    const f = fold(ch);
    if (f === null) {
      if (cur && cur.text !== '') out.push(cur);
      cur = null;
    } else {
      cur ??= { text: '', start: i, end: i };
      cur.text += f;
      cur.end = i + ch.length;
    }
    i += ch.length;
  }
  if (cur && cur.text !== '') out.push(cur);
  return out;
}

const quote = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** PostgreSQL keeps positions up to this and at most 256 per lexeme; a tsvector must stay under 1 MB. */
const MAX_POSITION = 16383;
const MAX_POSITIONS_PER_LEXEME = 256;
const MAX_LEXEME_BYTES = 512 * 1024;

/** `text` as a tsvector literal (positions from 1). Words past 512 KB of distinct lexemes are not indexed. */
export function tsvectorLiteral(text: string): string {
  const positions = new Map<string, number[]>();
  let bytes = 0;
  tokenize(text).forEach((t, i) => {
    let p = positions.get(t.text);
    if (!p) {
      bytes += Buffer.byteLength(t.text) + 8;
      if (bytes > MAX_LEXEME_BYTES) return;
      positions.set(t.text, (p = []));
    }
    if (p.length < MAX_POSITIONS_PER_LEXEME) p.push(Math.min(i + 1, MAX_POSITION));
  });
  return [...positions].map(([lexeme, ps]) => `${quote(lexeme)}:${ps.join(',')}`).join(' ');
}

/** The query's words, each as its tokens (several when the tokenizer cuts the word); empty: no hits. */
export function queryPhrases(q: string): string[][] {
  return searchWords(q)
    .map((w) => tokenize(w).map((t) => t.text))
    .filter((p) => p.length > 0);
}

/** `q` as a tsquery literal (every word, each a prefix), or null when it has no word. */
export function tsqueryLiteral(q: string): string | null {
  const phrases = queryPhrases(q);
  if (phrases.length === 0) return null;
  return phrases
    .map((p) => p.map((t, i) => (i === p.length - 1 ? `${quote(t)}:*` : quote(t))).join(' <-> '))
    .map((p) => `(${p})`)
    .join(' & ');
}

const SNIPPET_TOKENS = 16;

/** Words of `text` around the best match of `q`, `…` where cut; undefined when `q` does not match it. */
export function snippetOf(text: string, q: string): string | undefined {
  const phrases = queryPhrases(q);
  if (phrases.length === 0) return undefined;
  const tokens = tokenize(text);
  // Where each phrase matches: [phrase index, first token, last token].
  const hits: [number, number, number][] = [];
  phrases.forEach((p, pi) => {
    for (let i = 0; i + p.length <= tokens.length; i++) {
      const ok = p.every((t, k) => {
        const tok = tokens[i + k]?.text ?? '';
        return k === p.length - 1 ? tok.startsWith(t) : tok === t;
      });
      if (ok) hits.push([pi, i, i + p.length - 1]);
    }
  });
  if (new Set(hits.map((h) => h[0])).size < phrases.length) return undefined;
  let best = { start: 0, score: -1 };
  for (const [, first] of hits) {
    const start = Math.max(0, Math.min(first, tokens.length - SNIPPET_TOKENS));
    const end = start + SNIPPET_TOKENS;
    const score = new Set(hits.filter((h) => h[1] >= start && h[2] < end).map((h) => h[0])).size;
    if (score > best.score || (score === best.score && start < best.start)) best = { start, score };
  }
  const last = Math.min(tokens.length, best.start + SNIPPET_TOKENS) - 1;
  const from = best.start === 0 ? 0 : (tokens[best.start]?.start ?? 0);
  const to = last === tokens.length - 1 ? text.length : (tokens[last]?.end ?? text.length);
  return `${best.start > 0 ? '…' : ''}${text.slice(from, to)}${last < tokens.length - 1 ? '…' : ''}`;
}
