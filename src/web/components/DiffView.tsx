// A unified diff of a file edit: removed lines in red, added in green, each with a
// +/- marker so colour is never the only signal. Long diffs show their first lines
// and a button for the rest.

import { memo, useState } from 'react';
import type { FileDiff } from '../diff';
import { ScrollablePre } from './ScrollablePre';
import './DiffView.css';

/** Diffs longer than this many lines start collapsed to COLLAPSED_LINES. */
export const LONG_DIFF_LINES = 40;
export const COLLAPSED_LINES = 20;

const MARK = { add: '+', del: '−', ctx: ' ', hunk: '' } as const;

export const DiffView = memo(function DiffView({ diff }: { diff: FileDiff }) {
  const long = diff.lines.length > LONG_DIFF_LINES;
  const [expanded, setExpanded] = useState(false);
  const shown = long && !expanded ? diff.lines.slice(0, COLLAPSED_LINES) : diff.lines;
  const numbered = diff.lines.some((l) => l.newNo !== undefined);
  return (
    <figure className="diff" aria-label={`Changes to ${diff.file}`}>
      <figcaption className="diff-caption">
        <span className="diff-file">{diff.file}</span>
        <span className="diff-stat">
          <span className="diff-stat-add">+{diff.added}</span> <span className="diff-stat-del">−{diff.removed}</span>
        </span>
      </figcaption>
      <ScrollablePre className="diff-body">
        {shown.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their position
          <div key={i} className={`diff-line diff-${l.kind}`}>
            {numbered && <span className="diff-no">{l.newNo ?? ''}</span>}
            <span className="diff-mark" aria-hidden={l.kind === 'ctx' || l.kind === 'hunk'}>
              {MARK[l.kind]}
            </span>
            <span className="diff-text">{l.text || ' '}</span>
          </div>
        ))}
      </ScrollablePre>
      {long && (
        <button type="button" className="diff-more" aria-expanded={expanded} onClick={() => setExpanded((v) => !v)}>
          {expanded ? 'Show fewer lines' : `Show all ${diff.lines.length} lines`}
        </button>
      )}
    </figure>
  );
});
