// On narrow screens the session list is a menu: opening it focuses its first button,
// Escape closes it and gives focus back to the menu button.
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';

export interface PhoneMenu {
  open: boolean;
  toggle(): void;
  close(): void;
}

export function usePhoneMenu(navId: string, menuButton: RefObject<HTMLButtonElement | null>): PhoneMenu {
  const [open, setOpen] = useState(false);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (!open) {
      // After the commit that made the page behind the menu interactive again.
      if (returnFocus.current) menuButton.current?.focus();
      returnFocus.current = false;
      return;
    }
    document.querySelector<HTMLElement>(`#${navId} button:not([disabled])`)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      returnFocus.current = true;
      setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, navId, menuButton]);

  const toggle = useCallback(() => setOpen((o) => !o), []);
  const close = useCallback(() => setOpen(false), []);
  return { open, toggle, close };
}
