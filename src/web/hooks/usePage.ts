// Which page the signed-in app shows: the chat, or Settings / Admin from the address's
// fragment (#settings, #admin), so the back button and links work.
import { useEffect, useState } from 'react';

export type Page = 'chat' | 'settings' | 'admin';

const pageOf = (hash: string): Page => (hash === '#settings' ? 'settings' : hash === '#admin' ? 'admin' : 'chat');

export function usePage(): Page {
  const [page, setPage] = useState<Page>(() => pageOf(window.location.hash));
  useEffect(() => {
    const on = () => setPage(pageOf(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return page;
}
