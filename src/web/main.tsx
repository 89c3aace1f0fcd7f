import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type BootParams, KEY_STORAGE } from './App';
import './styles.css';

/** Reads ?token= and ?resume= once, then takes them out of the address bar. */
function readBootParams(): BootParams {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  const resume = url.searchParams.get('resume');
  if (token) {
    try {
      window.sessionStorage.setItem(KEY_STORAGE, token);
    } catch {
      /* storage blocked: the key cannot be kept */
    }
    url.searchParams.delete('token');
  }
  if (resume) url.searchParams.delete('resume');
  if (token || resume) window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return { resume };
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App boot={readBootParams()} />
    </StrictMode>,
  );
