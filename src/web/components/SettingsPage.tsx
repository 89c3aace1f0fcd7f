// The user's own settings: personal tokens, where they are signed in, and their usage.
import type { ReactNode } from 'react';
import type { MeResponse } from '../../protocol/messages';
import { SignInsPanel } from './SignInsPanel';
import { TokensPanel } from './TokensPanel';
import { UsagePanel } from './UsagePanel';
import './Panel.css';

export function PanelPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="panel-page">
      <header className="panel-page-head">
        <h1>{title}</h1>
        <a className="btn btn-small" href="#chat">
          Back to chat
        </a>
      </header>
      <main className="panel-page-body">{children}</main>
    </div>
  );
}

export function SettingsPage({ me }: { me: MeResponse }) {
  return (
    <PanelPage title="Settings">
      <p className="panel-muted">
        Signed in as <strong>{me.name}</strong> ({me.role}).
      </p>
      <TokensPanel />
      <SignInsPanel />
      <UsagePanel admin={false} />
    </PanelPage>
  );
}
