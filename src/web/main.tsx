// Must come first: it configures zod before any schema is built.
import './no-eval';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { readBootParams } from './boot';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App boot={readBootParams()} />
    </StrictMode>,
  );
