// What a session waits for from the person, on its row in the session list: a permission
// prompt, a question or a plan to approve (the server's `waiting_for`).
import type { WaitingFor } from '../../protocol/messages';
import './WaitingBadge.css';

export const WAITING_LABEL: Record<WaitingFor, string> = {
  permission: 'Needs approval',
  question: 'Question',
  plan: 'Plan ready',
};

export function WaitingBadge({ waiting }: { waiting: WaitingFor | null | undefined }) {
  if (!waiting) return null;
  return <span className={`waiting-badge waiting-${waiting}`}>{WAITING_LABEL[waiting]}</span>;
}
