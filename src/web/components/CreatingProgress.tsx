// A session being started: the server's estimate as a progress bar.
import { useNow } from '../format';
import './CreatingProgress.css';

export function CreatingProgress({ estimatedSeconds, startedAt }: { estimatedSeconds: number; startedAt: number }) {
  const now = useNow(200);
  const elapsed = (now - startedAt) / 1000;
  const est = Math.max(1, estimatedSeconds || 2);
  // Eases towards 95% so a slow start never looks finished.
  const pct = Math.min(95, Math.round((1 - Math.exp(-elapsed / est)) * 100 * 1.1));
  return (
    <div className="creating">
      <div className="creating-text">
        <span className="spinner" aria-hidden="true" />
        Starting a Claude process{estimatedSeconds > 0 ? ` — about ${Math.ceil(estimatedSeconds)} s` : '…'}
      </div>
      <div className="progress" role="progressbar" aria-label="Starting session" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        {/* Set through the CSSOM, which a style-src without 'unsafe-inline' allows. */}
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
