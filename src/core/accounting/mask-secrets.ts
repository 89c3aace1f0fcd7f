// Secret-looking parts of a command line or a path, masked before they reach the audit log.
// One rule per way a secret is commonly passed; each keeps what says *what* it was (the flag,
// the variable name, the user) and replaces the value with ***. Over-masking a harmless value
// is the cheaper mistake.

const M = '***';

/** Parts of a command between separators (`|`, `;`, `&`, newline): a tool's flags belong to its own part. */
const perCommand = (text: string, fn: (part: string) => string) =>
  text
    .split(/(\s*(?:\|\|?|;|&&?|\n)\s*)/)
    .map((p) => fn(p))
    .join('');

/** Quoted or bare value. */
const VALUE = `("[^"]*"|'[^']*'|[^\\s"']+)`;

type Rule = (text: string) => string;

const RULES: Rule[] = [
  // scheme://user:pass@host and user:pass@host
  (t) => t.replace(/\b([\w.%+-]+):([^\s@:/'"]+)@(?=[\w.-])/g, (_, user: string) => `${user}:${M}@`),
  // URL query values whose name says secret: ?token=, &access_token=, &X-Amz-Signature=, &api_key=, &sig=
  (t) =>
    t.replace(
      /([?&][\w.-]*(?:token|key|sig|signature|secret|pass(?:word|wd)?|auth|credential|code)[\w.-]*=)([^&\s#"']+)/gi,
      (_, lead: string) => `${lead}${M}`,
    ),
  // Authorization: Bearer x, Basic x (anywhere)
  (t) => t.replace(/\b(bearer|basic)(\s+)[\w.~+/=-]+/gi, (_, w: string, sp: string) => `${w}${sp}${M}`),
  // NAME_KEY=x, NAME_TOKEN=x, NAME_SECRET=x (and _PASSWORD, _PASS, _PWD)
  (t) =>
    t.replace(
      new RegExp(`\\b([A-Za-z0-9_]*_(?:KEY|TOKEN|SECRET|PASSWORD|PASS|PWD)\\s*=\\s*)${VALUE}`, 'gi'),
      (m: string, lead: string, value: string) => (value.includes(M) ? m : `${lead}${M}`),
    ),
  // --password x, --password=x, password: x, token=x, api-key x, secret x, credential=x, cookie: x
  (t) =>
    t.replace(
      new RegExp(
        `((?<![A-Za-z])(?:pass(?:word|wd)?|secret|token|api[-_]?key|auth(?:orization)?|credential|cookie)[\\w-]*(?:\\s*[=:]\\s*|\\s+)(?:bearer\\s+|basic\\s+)?)${VALUE}`,
        'gi',
      ),
      (m: string, lead: string, value: string) => (value.includes(M) ? m : `${lead}${M}`),
    ),
  // mysql -pPASSWORD (the password glued to -p), in mysql-family commands only
  (t) =>
    perCommand(t, (p) =>
      /\b(?:mysql|mariadb|mysqldump|mysqladmin|mysqlimport|mysqlshow)\b/.test(p) ? p.replace(/(\s-p)(?=\S)\S+/g, `$1${M}`) : p,
    ),
  // sshpass -p x / -px
  (t) => t.replace(/\b(sshpass\s+(?:-\w+\s+)*-p\s*)(\S+)/g, (_, lead: string) => `${lead}${M}`),
  // openssl … -k x, -pass pass:x, -passin/-passout
  (t) => perCommand(t, (p) => (/\bopenssl\b/.test(p) ? p.replace(/(\s-(?:k|pass|passin|passout|password)\s+)(\S+)/g, `$1${M}`) : p)),
  // Long opaque strings (keys, tokens) wherever they appear: sk-…, or 32+ letters and digits mixed
  (t) => t.replace(/\b(?:sk-[\w-]{8,}|(?=\w*\d)(?=\w*[A-Za-z])\w{32,})\b/g, M),
];

export function maskSecrets(text: string): string {
  return RULES.reduce((t, rule) => rule(t), text);
}
