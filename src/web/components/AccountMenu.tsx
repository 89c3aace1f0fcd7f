// The signed-in user in the top bar: a button with their name opens Settings, Admin
// (admins) and Sign out. A menu, so the bar fits a phone whatever else it holds. Following
// a link shows another page, which closes the menu with the chat.
import { useEffect, useRef, useState } from 'react';
import type { MeResponse } from '../../protocol/messages';
import './AccountMenu.css';

export function AccountMenu({ me, onSignOut }: { me: MeResponse; onSignOut: () => void }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <nav className="account" aria-label="Account" ref={root}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-small account-button"
        aria-expanded={open}
        aria-controls="account-menu"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="sr-only">Signed in as </span>
        <svg className="phone-only" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <circle cx="8" cy="5.5" r="2.8" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path
            d="M2.5 14c.6-2.8 2.8-4.3 5.5-4.3s4.9 1.5 5.5 4.3"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.4"
            strokeLinecap="round"
          />
        </svg>
        <span className="account-name phone-sr-only">{me.name}</span>
        {/* The role once: no "admin admin" when the admin is named admin. */}
        {me.role === 'admin' && me.name.trim().toLowerCase() !== 'admin' && <span className="account-role">admin</span>}
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <path d="M4 6l4 4 4-4" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" />
        </svg>
      </button>
      {open && (
        <ul id="account-menu" className="account-menu">
          <li>
            <a href="#settings">Settings</a>
          </li>
          {me.role === 'admin' && (
            <li>
              <a href="#admin">Admin</a>
            </li>
          )}
          {/* Behind a sign-in proxy the proxy owns the sign-in: signing out here would change nothing. */}
          {me.via !== 'proxy' && (
            <li>
              <button type="button" onClick={onSignOut}>
                Sign out
              </button>
            </li>
          )}
        </ul>
      )}
    </nav>
  );
}
