// The session's model and permission mode, beside the message box. A change is sent as
// set_session_options and shown once the server's session_updated says it took effect.
import type { ModelInfo, SessionPermissionMode, SessionSummary } from '../../protocol/messages';
import './AgentControls.css';

const MODES: { value: SessionPermissionMode; label: string }[] = [
  { value: 'default', label: 'Ask before tools' },
  { value: 'acceptEdits', label: 'Accept edits' },
  { value: 'plan', label: 'Plan first' },
  { value: 'bypassPermissions', label: 'Allow everything' },
];

interface Props {
  session: SessionSummary | null;
  models: ModelInfo[];
  disabled: boolean;
  onChange: (opts: { model?: string; permission_mode?: SessionPermissionMode }) => void;
}

export function AgentControls({ session, models, disabled, onChange }: Props) {
  if (!session) return null;
  const model = session.model ?? 'default';
  const mode = session.permission_mode ?? 'default';
  // bypassPermissions is offered only to a session that has it (the server allows it only when its own mode is that).
  const modes = MODES.filter((m) => m.value !== 'bypassPermissions' || mode === 'bypassPermissions');
  const known = models.some((m) => m.value === model);
  return (
    <div className="agent-controls">
      <label className="agent-control">
        <span aria-hidden="true">Model</span>
        <select
          aria-label="Model"
          value={model}
          disabled={disabled || models.length === 0}
          onChange={(e) => onChange({ model: e.target.value })}
        >
          {!known && <option value={model}>{model === 'default' ? 'Default' : model}</option>}
          {models.map((m) => (
            <option key={m.value} value={m.value} title={m.description}>
              {m.display_name}
            </option>
          ))}
        </select>
      </label>
      <label className="agent-control">
        <span aria-hidden="true">Mode</span>
        <select
          aria-label="Permission mode"
          value={mode}
          disabled={disabled}
          onChange={(e) => onChange({ permission_mode: e.target.value as SessionPermissionMode })}
        >
          {modes.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
