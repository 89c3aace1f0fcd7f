// The signed-in user in the top bar: their name, Settings, Admin (admins) and Sign out.
import type { MeResponse } from '../../protocol/messages';
import './AccountMenu.css';

export function AccountMenu({ me, onSignOut }: { me: MeResponse; onSignOut: () => void }) {
  return (
    <nav className="account" aria-label="Account">
      <span className="account-name" title={`Signed in as ${me.name} (${me.role})`}>
        <span className="sr-only">Signed in as </span>
        {me.name}
        {me.role === 'admin' && <span className="account-role">admin</span>}
      </span>
      <a className="btn btn-ghost btn-small" href="#settings">
        Settings
      </a>
      {me.role === 'admin' && (
        <a className="btn btn-ghost btn-small" href="#admin">
          Admin
        </a>
      )}
      {/* Behind a sign-in proxy the proxy owns the sign-in: signing out here would change nothing. */}
      {me.via !== 'proxy' && (
        <button type="button" className="btn btn-ghost btn-small" onClick={onSignOut}>
          Sign out
        </button>
      )}
    </nav>
  );
}
