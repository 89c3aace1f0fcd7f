// The agent's plan (ExitPlanMode) as Markdown, through the same sanitizer as every answer:
// "Approve and run" leaves plan mode; "Keep planning" tells the agent so, with an optional note.
import { useEffect, useRef, useState } from 'react';
import type { AnswerPermission, PermissionItem } from '../state/types';
import { Markdown } from './Markdown';
import './PlanCard.css';

export function PlanCard({ item, onAnswer }: { item: PermissionItem; onAnswer: AnswerPermission }) {
  const approve = useRef<HTMLButtonElement>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    approve.current?.focus();
  }, []);
  const plan = typeof item.input.plan === 'string' && item.input.plan.trim() ? item.input.plan : '_The agent gave no plan text._';
  const headingId = `plan-${item.id}`;
  return (
    <section className="permission-card plan-card" aria-labelledby={headingId}>
      <h3 id={headingId} className="permission-title">
        Claude's plan
      </h3>
      <div className="plan-body">
        <Markdown text={plan} streaming={false} />
      </div>
      <label className="plan-note">
        <span>What should change? (optional, for Keep planning)</span>
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="permission-actions">
        <button ref={approve} type="button" className="btn btn-primary" onClick={() => onAnswer(item, 'allow')}>
          Approve and run
        </button>
        <button type="button" className="btn" onClick={() => onAnswer(item, 'deny', note.trim() ? { message: note.trim() } : {})}>
          Keep planning
        </button>
      </div>
    </section>
  );
}
