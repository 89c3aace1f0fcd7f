// The open session's usage in the header: how full its context is (after the newest
// answer) and what it has cost so far.
import type { SessionSummary } from '../../protocol/messages';
import { formatCost, formatTokens } from '../format';
import './SessionUsage.css';

interface Props {
  session: SessionSummary;
  context: { tokens: number; window: number | null } | null;
}

export function SessionUsage({ session, context }: Props) {
  const pct = context?.window ? Math.min(100, Math.round((context.tokens / context.window) * 100)) : null;
  return (
    <div className="session-usage">
      {context && (
        <span
          className={`usage-context${pct !== null && pct >= 80 ? ' is-high' : ''}`}
          title={context.window ? `${context.tokens.toLocaleString()} of ${context.window.toLocaleString()} tokens` : undefined}
        >
          {pct !== null && (
            <span className="usage-bar" aria-hidden="true">
              <span className={`usage-fill w${Math.ceil(pct / 5) * 5}`} />
            </span>
          )}
          Context {formatTokens(context.tokens)}
          {context.window ? ` / ${formatTokens(context.window)}` : ''}
        </span>
      )}
      <span className="usage-cost">{formatCost(session.total_cost_usd)} total</span>
    </div>
  );
}
