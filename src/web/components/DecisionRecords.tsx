// Plans and questions as readable records in the conversation (live and after a reload):
// what Claude proposed or asked, and what the person answered — never the tool's raw JSON.
import { decisionOf } from '../../protocol/decisions';
import type { ToolItem } from '../state/types';
import { Markdown } from './Markdown';
import './DecisionRecords.css';

function resultString(item: ToolItem): string {
  const r = item.result;
  if (!r) return '';
  for (const k of ['output', 'error']) if (typeof r[k] === 'string') return r[k] as string;
  return '';
}

/** The plan text: the tool's input (live), else the "Approved Plan" part of the result the CLI wrote. */
function planText(item: ToolItem): string | null {
  if (typeof item.input.plan === 'string' && item.input.plan.trim()) return item.input.plan;
  const m = resultString(item).match(/## Approved Plan:?\s*\n([\s\S]+)$/);
  return m?.[1]?.trim() || null;
}

export function PlanRecord({ item }: { item: ToolItem }) {
  const decision = item.status === 'error' ? decisionOf(resultString(item)) : null;
  const plan = planText(item);
  const outcome =
    item.status === 'executing'
      ? 'Waiting for your answer'
      : item.status === 'success'
        ? 'You approved the plan'
        : decision?.kind === 'keep_planning'
          ? 'You asked Claude to keep planning'
          : decision?.kind === 'no_answer'
            ? 'No answer in time'
            : 'Not approved';
  return (
    <article className="decision-record" aria-label="Claude's plan">
      <header className="decision-head">
        <span className="decision-name">Plan</span>
        <span className="decision-outcome">{outcome}</span>
      </header>
      {decision?.note && <p className="decision-note">You said: {decision.note}</p>}
      {plan && (
        <details className="decision-body">
          <summary>Show the plan</summary>
          <Markdown text={plan} streaming={false} />
        </details>
      )}
    </article>
  );
}

interface Question {
  question: string;
  header?: string;
}

/** Answers from the tool's input (when the answer is known here) or the CLI's result sentence: "Q"="A". */
function answersOf(item: ToolItem): Record<string, string> {
  if (item.input.answers && typeof item.input.answers === 'object') return item.input.answers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const m of resultString(item).matchAll(/"([^"]+)"="([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

export function QuestionRecord({ item }: { item: ToolItem }) {
  const questions = Array.isArray(item.input.questions) ? (item.input.questions as Question[]) : [];
  const answers = answersOf(item);
  const decision = item.status === 'error' ? decisionOf(resultString(item)) : null;
  return (
    <article className="decision-record" aria-label="Claude's question">
      <header className="decision-head">
        <span className="decision-name">Question</span>
        <span className="decision-outcome">
          {item.status === 'executing'
            ? 'Waiting for your answer'
            : item.status === 'success'
              ? 'Answered'
              : decision?.kind === 'no_answer'
                ? 'No answer in time'
                : decision
                  ? 'Skipped'
                  : 'Could not be asked'}
        </span>
      </header>
      <dl className="decision-qa">
        {questions.map((q) => (
          <div key={q.question}>
            <dt>{q.question}</dt>
            <dd>{answers[q.question] ?? (item.status === 'success' ? '(answered)' : '—')}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}
