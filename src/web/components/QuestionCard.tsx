// AskUserQuestion: each question with its options (one, or several when multiSelect) and
// "Other" for the user's own words. The answers go back to the agent as the tool's result.
import { useEffect, useRef, useState } from 'react';
import { SKIPPED_QUESTION } from '../../protocol/decisions';
import type { AnswerPermission, PermissionItem } from '../state/types';
import './PlanCard.css';

interface Question {
  question: string;
  header?: string;
  multiSelect?: boolean;
  options: { label: string; description?: string }[];
}

const OTHER = '__other__';

function questionsOf(input: Record<string, unknown>): Question[] {
  const qs = Array.isArray(input.questions) ? input.questions : [];
  return qs.filter(
    (q): q is Question =>
      typeof q === 'object' && q !== null && typeof (q as Question).question === 'string' && Array.isArray((q as Question).options),
  );
}

export function QuestionCard({ item, onAnswer }: { item: PermissionItem; onAnswer: AnswerPermission }) {
  const questions = questionsOf(item.input);
  const [chosen, setChosen] = useState<Record<number, string[]>>({});
  const [other, setOther] = useState<Record<number, string>>({});
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    first.current?.focus();
  }, []);
  const answerOf = (i: number): string => {
    const picked = (chosen[i] ?? []).map((v) => (v === OTHER ? (other[i] ?? '').trim() : v)).filter(Boolean);
    return picked.join(', ');
  };
  const complete = questions.every((_, i) => answerOf(i).length > 0);
  const toggle = (i: number, value: string, multi: boolean) =>
    setChosen((c) => {
      const cur = c[i] ?? [];
      if (!multi) return { ...c, [i]: [value] };
      return { ...c, [i]: cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value] };
    });
  const submit = () => {
    if (!complete) return;
    onAnswer(item, 'allow', { answers: Object.fromEntries(questions.map((q, i) => [q.question, answerOf(i)])) });
  };
  const headingId = `question-${item.id}`;
  return (
    <section className="permission-card question-card" aria-labelledby={headingId}>
      <h3 id={headingId} className="permission-title">
        Claude asks
      </h3>
      {questions.map((q, i) => {
        const multi = q.multiSelect === true;
        const name = `q-${item.id}-${i}`;
        return (
          <fieldset key={q.question}>
            <legend>
              {q.header && <span className="question-header">{q.header}</span>}
              {q.question}
            </legend>
            {[
              ...q.options.map((o) => ({ value: o.label, label: o.label, description: o.description })),
              { value: OTHER, label: 'Other', description: undefined },
            ].map((o, j) => (
              <label key={o.value} className="question-option">
                <input
                  ref={i === 0 && j === 0 ? first : undefined}
                  type={multi ? 'checkbox' : 'radio'}
                  name={name}
                  checked={(chosen[i] ?? []).includes(o.value)}
                  onChange={() => toggle(i, o.value, multi)}
                />
                <span>
                  {o.label} {o.description && <small>{o.description}</small>}
                </span>
              </label>
            ))}
            {(chosen[i] ?? []).includes(OTHER) && (
              <label className="question-other">
                <span>Your answer</span>
                <input type="text" value={other[i] ?? ''} onChange={(e) => setOther((o) => ({ ...o, [i]: e.target.value }))} />
              </label>
            )}
          </fieldset>
        );
      })}
      <div className="permission-actions">
        <button type="button" className="btn btn-primary" disabled={!complete} onClick={submit}>
          Send answer
        </button>
        <button type="button" className="btn" onClick={() => onAnswer(item, 'deny', { message: SKIPPED_QUESTION })}>
          Skip
        </button>
      </div>
    </section>
  );
}
