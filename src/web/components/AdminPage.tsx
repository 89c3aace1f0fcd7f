// Admins only (the server checks too): users, their roles and access; usage and limits; the audit log.
import { type MeResponse, UserListResponse } from '../../protocol/messages';
import { useResource } from '../hooks/useResource';
import { api } from '../rest-client';
import { AuditPanel } from './AuditPanel';
import { PanelPage } from './SettingsPage';
import { UsagePanel } from './UsagePanel';
import { UsersPanel } from './UsersPanel';

export function AdminPage({ me }: { me: MeResponse }) {
  // Names for the user ids of the usage and audit tables.
  const users = useResource(() => (me.role === 'admin' ? api(UserListResponse, 'GET', '/api/v1/users') : Promise.resolve({ users: [] })));
  const names = Object.fromEntries((users.data?.users ?? []).map((u) => [u.user_id, u.name]));
  if (me.role !== 'admin')
    return (
      <PanelPage title="Admin">
        <p role="alert">This page is for admins.</p>
      </PanelPage>
    );
  return (
    <PanelPage title="Admin">
      <UsersPanel selfId={me.user_id} />
      <UsagePanel admin names={names} />
      <AuditPanel names={names} />
    </PanelPage>
  );
}
