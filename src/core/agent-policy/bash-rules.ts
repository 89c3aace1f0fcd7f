// What "Always allow" may offer for a Bash command, the way Claude Code does it: a rule per
// sub-command (`git status && npm test` -> "git status", "npm test"), each a command prefix,
// and none at all for a command whose parts cannot be told apart (substitutions, redirections,
// subshells, escapes) or that starts with a dangerous word (rm, sudo, curl … | sh, git push --force …).
// A later command is covered when every one of its sub-commands starts with a granted prefix.

/** A sub-command, as its words (quotes removed). */
type Words = string[];

/** What a granted rule matches in one sub-command: its first words, or (exact) all of them. */
export interface Pattern {
  words: Words;
  exact?: boolean;
}

/** Tools whose second word is the real command (`git status`, `npm test`): the rule keeps both. */
const TWO_WORD_TOOLS = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'cargo',
  'go',
  'docker',
  'podman',
  'kubectl',
  'pip',
  'pip3',
  'apt',
  'apt-get',
  'brew',
  'gh',
  'make',
  'uv',
  'poetry',
  'dotnet',
  'mvn',
  'gradle',
]);

/** First words that delete, escalate, rewrite the disk or run arbitrary text: never a blanket rule. */
const DANGEROUS: Readonly<Record<string, string>> = {
  rm: 'deletes files',
  rmdir: 'deletes folders',
  shred: 'destroys files',
  unlink: 'deletes files',
  sudo: 'runs as another user',
  su: 'runs as another user',
  doas: 'runs as another user',
  dd: 'writes raw data to files or disks',
  mkfs: 'formats a disk',
  chmod: 'changes file permissions',
  chown: 'changes file owners',
  chgrp: 'changes file groups',
  kill: 'stops processes',
  pkill: 'stops processes',
  killall: 'stops processes',
  shutdown: 'stops the machine',
  reboot: 'restarts the machine',
  sh: 'runs a shell script',
  bash: 'runs a shell script',
  zsh: 'runs a shell script',
  dash: 'runs a shell script',
  eval: 'runs arbitrary text as a command',
  exec: 'replaces the shell with another command',
  xargs: 'runs commands built from its input',
  env: 'runs another command',
  nohup: 'runs another command',
  timeout: 'runs another command',
  find: 'can delete files or run commands (-delete, -exec)',
};

/** `git push --force`, `git reset --hard`, `git clean`: history or work that cannot come back. */
function dangerousGit(w: Words): string | null {
  if (w[0] !== 'git') return null;
  const sub = w[1];
  const rest = w.slice(2);
  if (sub === 'push' && rest.some((a) => a === '-f' || a.startsWith('--force') || /^\+/.test(a)))
    return 'git push --force rewrites the remote history';
  if (sub === 'reset' && rest.includes('--hard')) return 'git reset --hard discards changes';
  if (sub === 'clean') return 'git clean deletes untracked files';
  if (sub === 'checkout' && rest.includes('--')) return 'git checkout -- discards changes';
  return null;
}

const PLAIN_WORD = /^[\w.+/@:=-]+$/;
const COMMAND_WORD = /^[\w.+/@:-]+$/;

/**
 * Splits a command line into sub-commands (on &&, ||, ;, |, & and new lines, outside quotes).
 * Null when a part cannot be judged by its words: substitutions, redirections, subshells, escapes,
 * variables, unbalanced quotes, or an empty part.
 */
export function splitCommand(command: string): Words[] | null {
  const parts: Words[] = [];
  let words: Words = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endPart = () => {
    endWord();
    if (words.length === 0) return false;
    parts.push(words);
    words = [];
    return true;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'" || c === '"') {
      const close = command.indexOf(c, i + 1);
      if (close < 0) return null;
      const inner = command.slice(i + 1, close);
      if (c === '"' && /[`$\\]/.test(inner)) return null;
      word += inner;
      inWord = true;
      i = close;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '&' || c === '|' || c === ';' || c === '\n' || c === '\r') {
      if (c === '&' && command[i + 1] === '>') return null;
      if (!endPart()) return null;
      if ((c === '&' || c === '|') && command[i + 1] === c) i++;
    } else if ('`$()<>\\{}'.includes(c)) {
      return null;
    } else {
      word += c;
      inWord = true;
    }
  }
  return endPart() ? parts : null;
}

/** Why a sub-command gets no blanket rule, or null. */
export function dangerOf(w: Words): string | null {
  const first = w[0] ?? '';
  const base = first.split('/').pop() ?? first;
  const why = DANGEROUS[base];
  if (why) return `${base} ${why}`;
  return dangerousGit(w);
}

/** The prefix a rule for this sub-command keeps: its first word, and the second for tools like git or npm. */
function prefixOf(w: Words): Words | null {
  const [first, second] = w;
  if (!first || !COMMAND_WORD.test(first) || first.includes('=')) return null;
  if (TWO_WORD_TOOLS.has(first) && second && !second.startsWith('-') && PLAIN_WORD.test(second)) return [first, second];
  return [first];
}

const startsWith = (w: Words, prefix: Words) => prefix.length <= w.length && prefix.every((p, i) => w[i] === p);
const matches = (w: Words, p: Pattern) => startsWith(w, p.words) && (!p.exact || w.length === p.words.length);

export interface BashOffer {
  /** What "Always allow" grants (null: offer no Always allow). */
  prefixes: Pattern[] | null;
  /** Shown on the card when the command is risky or cannot get a rule. */
  warning?: string;
}

/** A CLI suggestion as patterns: `git status:*` and `git status *` are prefixes, anything else exact commands. */
function suggestionPatterns(ruleContent: string): Pattern[] | null {
  const prefix = ruleContent.endsWith(':*') || ruleContent.endsWith(' *');
  const parts = splitCommand(prefix ? ruleContent.slice(0, -2) : ruleContent);
  if (!parts) return null;
  if (prefix) return parts.length === 1 ? [{ words: parts[0] as Words }] : null;
  return parts.map((words) => ({ words, exact: true }));
}

/**
 * What Always allow offers for `command`. `suggested` are the CLI's own Bash rule contents
 * (from canUseTool's suggestions): they are used when they cover every sub-command.
 */
export function bashOffer(command: string, suggested: string[] = []): BashOffer {
  const parts = splitCommand(command);
  if (!parts)
    return {
      prefixes: null,
      warning:
        'This command uses substitutions, redirections or other shell syntax whose effect cannot be read from its words: approve it each time.',
    };
  const dangers = parts.map(dangerOf).filter((d): d is string => d !== null);
  if (dangers.length > 0) {
    const piped = /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/.test(command);
    return {
      prefixes: null,
      warning:
        `${piped ? 'downloads a script and runs it' : [...new Set(dangers)].join('; ')}. Check it carefully: there is no Always allow for it.`.replace(
          /^./,
          (c) => c.toUpperCase(),
        ),
    };
  }
  const fromCli = suggested.flatMap((r) => suggestionPatterns(r) ?? []);
  if (fromCli.length > 0 && parts.every((w) => fromCli.some((p) => matches(w, p)))) return { prefixes: dedupe(fromCli) };
  const own = parts.map(prefixOf);
  if (own.some((p) => p === null))
    return { prefixes: null, warning: 'A part of this command does not start with a plain command name: approve it each time.' };
  return { prefixes: dedupe((own as Words[]).map((words) => ({ words }))) };
}

function dedupe(patterns: Pattern[]): Pattern[] {
  const seen = new Set<string>();
  return patterns.filter((p) => {
    const k = `${p.exact ? '=' : '^'}${p.words.join('\u0000')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Whether granted prefixes cover `command`: every sub-command starts with one, and none is dangerous. */
export function bashCovered(command: string, granted: Pattern[]): boolean {
  const parts = splitCommand(command);
  if (!parts) return false;
  return parts.every((w) => dangerOf(w) === null && granted.some((p) => matches(w, p)));
}

const orList = (list: string[]) => (list.length === 1 ? (list[0] as string) : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`);

/** The sentence the card shows under Always allow. */
export function bashScope(patterns: Pattern[]): string {
  const chained = patterns.length > 1 ? ', alone or chained with &&, ||, ; or |' : '';
  const quoted = (p: Pattern) => `"${p.words.join(' ')}"`;
  if (patterns.every((p) => !p.exact))
    return `Bash commands starting with ${orList(patterns.map(quoted))}${chained} (no redirections or substitutions)`;
  if (patterns.length === 1) return `The Bash command ${quoted(patterns[0] as Pattern)}, exactly`;
  const list = patterns.map((p) => (p.exact ? `${quoted(p)} exactly` : `commands starting with ${quoted(p)}`));
  return `Bash commands made of ${orList(list)}${chained}`;
}
