// Above the message box of an ended session: whether it can be resumed, and the button.
import type { SessionSummary } from '../../protocol/messages';
import './EndedCard.css';

export function EndedCard({ session, canAct, onResume }: { session: SessionSummary; canAct: boolean; onResume: () => void }) {
  return (
    <div className="ended-card">
      <span>
        This session has ended
        {session.is_resumable ? '. Resume it to continue where you left off.' : ' and cannot be resumed.'}
      </span>
      {session.is_resumable && (
        <button type="button" className="btn btn-primary btn-small" disabled={!canAct} onClick={onResume}>
          Resume
        </button>
      )}
    </div>
  );
}
