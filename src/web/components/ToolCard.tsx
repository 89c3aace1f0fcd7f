// A tool call: what it runs, its status and duration, and its result (long ones folded).
import { memo, useMemo } from 'react';
import { type DecisionKind, decisionOf } from '../../protocol/decisions';
import { toolDiff } from '../diff';
import { formatDuration, shortJson } from '../format';
import type { ToolItem } from '../state/types';
import { PlanRecord, QuestionRecord } from './DecisionRecords';
import { DiffView } from './DiffView';
import { ScrollablePre } from './ScrollablePre';
import './DecisionRecords.css';
import './ToolCard.css';

/** The one line that says what a tool call does. */
function toolSummary(tool: string, input: Record<string, unknown>): string | null {
  for (const k of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
    const v = input[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return Object.keys(input).length ? null : tool;
}

function resultText(result: Record<string, unknown>): string {
  const keys = Object.keys(result);
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'error') && typeof result[keys[0]] === 'string')
    return result[keys[0]] as string;
  return shortJson(result);
}

const LONG_LINES = 12;
const LONG_CHARS = 800;

const STATUS_TEXT: Record<ToolItem['status'], string> = { executing: 'Running…', success: 'Succeeded', error: 'Failed' };
const DECISION_TEXT: Record<DecisionKind, string> = {
  denied: 'Denied',
  keep_planning: 'Kept planning',
  skipped: 'Skipped',
  no_answer: 'No answer',
};

export const ToolCard = memo(function ToolCard({ item, awaiting = false }: { item: ToolItem; awaiting?: boolean }) {
  if (item.tool === 'ExitPlanMode') return <PlanRecord item={item} />;
  if (item.tool === 'AskUserQuestion') return <QuestionRecord item={item} />;
  return <CallCard item={item} awaiting={awaiting} />;
});

function CallCard({ item, awaiting }: { item: ToolItem; awaiting: boolean }) {
  const summary = toolSummary(item.tool, item.input);
  const isCommand = typeof item.input.command === 'string';
  const diff = useMemo(() => toolDiff(item.tool, item.input), [item.tool, item.input]);
  const otherInput = Object.fromEntries(
    Object.entries(item.input).filter(([k]) => !(isCommand && (k === 'command' || k === 'description'))),
  );
  const text = item.result ? resultText(item.result) : '';
  // A person's decision (denied, no answer in time) is not a failure of the tool: drawn neutral.
  const decision = item.status === 'error' ? decisionOf(text) : null;
  const lines = text.split('\n').length;
  const long = lines > LONG_LINES || text.length > LONG_CHARS;
  return (
    <article className={`tool-card tool-${decision ? 'decision' : item.status}`} aria-label={`Tool call: ${item.tool}`}>
      <header className="tool-head">
        <span className="tool-icon" aria-hidden="true">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path
              d="M3 4.5l3 3-3 3M8 11h5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.6"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        </span>
        <span className="tool-name">{item.tool}</span>
        {summary && !isCommand && <span className="tool-summary">{summary}</span>}
        <span className="tool-meta">
          <span className={`tool-status status-${awaiting ? 'awaiting' : decision ? 'decision' : item.status}`} role="status">
            {item.status === 'executing' && !awaiting && <span className="spinner" aria-hidden="true" />}
            {awaiting ? 'Awaiting approval' : decision ? DECISION_TEXT[decision.kind] : STATUS_TEXT[item.status]}
          </span>
          {item.durationMs !== null && <span className="tool-duration">{formatDuration(item.durationMs)}</span>}
        </span>
      </header>
      {isCommand && (
        <ScrollablePre className="tool-command">
          <span aria-hidden="true" className="prompt">
            ${' '}
          </span>
          <code>{item.input.command as string}</code>
        </ScrollablePre>
      )}
      {diff && <DiffView diff={diff} />}
      {!diff && Object.keys(otherInput).length > 0 && (
        <details className="tool-section" open={!isCommand && Object.keys(otherInput).length <= 4}>
          <summary>Input</summary>
          <ScrollablePre className="tool-pre">{shortJson(otherInput)}</ScrollablePre>
        </details>
      )}
      {decision
        ? decision.note && <p className="decision-note tool-section">You told Claude: {decision.note}</p>
        : item.result &&
          (long ? (
            <details className="tool-section">
              <summary>
                {item.status === 'error' ? 'Error' : 'Result'} ({lines} lines) — show
              </summary>
              <ScrollablePre className="tool-pre">{text}</ScrollablePre>
            </details>
          ) : (
            <div className="tool-section">
              <div className="tool-label">{item.status === 'error' ? 'Error' : 'Result'}</div>
              <ScrollablePre className={`tool-pre${item.status === 'error' ? ' tool-pre-error' : ''}`}>
                {text || '(no output)'}
              </ScrollablePre>
            </div>
          ))}
    </article>
  );
}
