// What the conversation area shows before there is a conversation.
import type { SessionSummary } from '../../protocol/messages';
import { Logo } from './Logo';
import './ChatEmpty.css';

export function ChatEmpty({ session, loaded }: { session: SessionSummary | null; loaded: boolean }) {
  if (!session)
    return (
      <div className="empty">
        <Logo size={44} />
        <p className="empty-title">What shall we work on?</p>
        <p>Type a message to start a new session, or pick one from the list.</p>
      </div>
    );
  if (session.status === 'terminated') return null;
  return (
    <div className="empty">
      <p className="empty-title">{loaded ? 'New conversation' : 'Loading…'}</p>
      {loaded && (
        <p>
          Ask anything. Claude works in{' '}
          {session.working_dir ? <code className="empty-folder">{session.working_dir}</code> : 'the project folder'}: it reads, runs and
          changes files there, asking first when the permission mode says so.
        </p>
      )}
    </div>
  );
}
