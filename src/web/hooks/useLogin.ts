// The API key this tab connects with. Each connect makes new credentials, so connecting
// again with the same key (after a failure) starts a new connection too.
import { useCallback, useEffect, useState } from 'react';
import { readBootParams } from '../boot';
import { KEY_STORAGE, tabStorage } from '../storage';

export interface Credentials {
  key: string;
}

export interface Login {
  credentials: Credentials | null;
  connect(key: string): void;
  /** Drops the stored key (it was refused) but keeps showing why. */
  forget(): void;
  disconnect(): void;
}

export function useLogin(): Login {
  const [credentials, setCredentials] = useState<Credentials | null>(() => {
    const key = tabStorage()?.getItem(KEY_STORAGE);
    return key ? { key } : null;
  });

  const connect = useCallback((key: string) => {
    tabStorage()?.setItem(KEY_STORAGE, key);
    setCredentials({ key });
  }, []);
  const forget = useCallback(() => tabStorage()?.removeItem(KEY_STORAGE), []);
  const disconnect = useCallback(() => {
    tabStorage()?.removeItem(KEY_STORAGE);
    setCredentials(null);
  }, []);

  // A #token= link opened in this tab while the chat is open changes only the fragment.
  useEffect(() => {
    const onHash = () => {
      const { token } = readBootParams();
      if (token) connect(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [connect]);

  return { credentials, connect, forget, disconnect };
}
