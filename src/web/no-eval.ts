// The page allows no eval (see csp.ts). zod decides at schema construction whether to
// compile parsers with `new Function`, probing for it, which a strict CSP reports as a
// violation: turn that off before any schema exists. Imported first by main.tsx.
import { config } from 'zod';

config({ jitless: true });
