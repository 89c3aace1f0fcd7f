// A session's name before anyone renames it: the first line of its first message, without the
// demo model's directives or Markdown, at most DEFAULT_TITLE_CHARS characters; a fork is "Fork of <name>".
import { MAX_TITLE_CHARS, DEFAULT_TITLE_CHARS as TITLE_CHARS } from '../../protocol/errors.js';

/** The demo model's prompt directives (`run: ls`, `tool: Read {...}`): the title keeps what follows. */
const DIRECTIVE = /^(?:run|say|plan|tool|slow|error|drop):\s*(?:\d+\s+)?/i;

function plain(line: string): string {
  return line
    .replace(DIRECTIVE, '')
    .replace(/\s*\{.*$/, (m) => (m.trim().startsWith('{') ? '' : m)) // a tool's JSON input
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)/, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|~~|`+)/g, '')
    .replace(/(^|\s)[*_](\S[^*_]*?)[*_](?=\s|$)/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

const cut = (t: string, max: number) => {
  const cps = [...t];
  return cps.length <= max
    ? t
    : `${cps
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
};

/** The title a first message gives; null when it has no words (the next message names the session). */
export function titleFromMessage(text: string): string | null {
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) continue;
    const t = plain(line);
    if (t) return cut(t, TITLE_CHARS);
  }
  return null;
}

/** A fork's name (null stays null: its first message names it). */
export function forkTitle(title: string | null): string | null {
  return title ? cut(`Fork of ${title}`, MAX_TITLE_CHARS) : null;
}
