// Admins only (the server checks too): users, their roles and access.
import type { MeResponse } from '../../protocol/messages';
import { PanelPage } from './SettingsPage';
import { UsersPanel } from './UsersPanel';

export function AdminPage({ me }: { me: MeResponse }) {
  return (
    <PanelPage title="Admin">
      {me.role === 'admin' ? <UsersPanel selfId={me.user_id} /> : <p role="alert">This page is for admins.</p>}
    </PanelPage>
  );
}
