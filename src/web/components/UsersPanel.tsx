// Admin: the users. Create (their first token shown once), change the role, disable and enable.
import { useState } from 'react';
import { CreateUserResponse, type Role, User, UserListResponse } from '../../protocol/messages';
import { useResource, when } from '../hooks/useResource';
import { type ApiError, api } from '../rest-client';
import { OneTimeSecret } from './OneTimeSecret';
import './Panel.css';
import { TableScroll } from './TableScroll';

export function UsersPanel({ selfId }: { selfId: string }) {
  const users = useResource(() => api(UserListResponse, 'GET', '/api/v1/users'));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [created, setCreated] = useState<CreateUserResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const fail = (e: ApiError) => setError(e.message);
  const path = (u: User) => `/api/v1/users/${encodeURIComponent(u.user_id)}`;

  const create = () => {
    setError(null);
    api(CreateUserResponse, 'POST', '/api/v1/users', { name: name.trim(), role }).then((u) => {
      setCreated(u);
      setName('');
      users.reload();
    }, fail);
  };
  const change = (u: User, body: { role?: Role; disabled?: boolean }) => {
    setError(null);
    const call = body.disabled === true ? api(User, 'DELETE', path(u)) : api(User, 'PATCH', path(u), body);
    call.then(users.reload, (e: ApiError) => {
      fail(e);
      users.reload();
    });
  };
  const activeAdmins = users.data?.users.filter((u) => u.role === 'admin' && !u.disabled).length ?? 0;

  return (
    <section className="panel" aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      <form
        className="panel-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create();
        }}
      >
        <label>
          Name
          <input className="field" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Role
          <select className="field" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="member">member</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" className="btn btn-primary btn-small" disabled={!name.trim()}>
          Create user
        </button>
      </form>
      {created && <OneTimeSecret label={`First token of ${created.name}`} secret={created.token} onDone={() => setCreated(null)} />}
      {(error ?? users.error) && (
        <p className="panel-error" role="alert">
          {error ?? users.error}
        </p>
      )}
      {users.data && (
        <input
          className="field panel-search"
          type="search"
          aria-label="Filter users by name"
          placeholder="Filter by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      {users.data && (
        <TableScroll label="Scroll the user list">
          <table className="panel-table" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.users
                .filter((u) => u.name.toLowerCase().includes(filter.trim().toLowerCase()))
                .map((u) => (
                  <tr key={u.user_id}>
                    <td>
                      {u.name}
                      {u.user_id === selfId && <span className="panel-muted"> (you)</span>}
                    </td>
                    <td>
                      <select
                        className="field"
                        aria-label={`Role of ${u.name}`}
                        value={u.role}
                        onChange={(e) => change(u, { role: e.target.value as Role })}
                      >
                        <option value="member">member</option>
                        <option value="admin">admin</option>
                      </select>
                    </td>
                    <td>{u.disabled ? 'disabled' : 'active'}</td>
                    <td>{when(u.created_at)}</td>
                    <td>
                      {/* Yourself and the last enabled admin cannot be disabled (the server refuses it too). */}
                      {!u.disabled && (u.user_id === selfId || (u.role === 'admin' && activeAdmins <= 1)) ? (
                        <span className="panel-muted">{u.user_id === selfId ? 'You' : 'Last admin'}</span>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                          onClick={() => change(u, { disabled: !u.disabled })}
                        >
                          {u.disabled ? 'Enable' : 'Disable'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
