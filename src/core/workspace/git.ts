// What git says about the working folder: branch, commit, changed files with line counts, one
// file's diff. The `git` program runs with arguments (execFile, never a shell), in the working
// folder, limited to it (`-- .`, --relative). It runs outside the agent's sandbox on a folder the
// agent can write, so nothing in the repository may make it run a command: no fsmonitor, hooks,
// external diff or textconv, submodule recursion or transport, and every filter driver the
// repository's configuration names is switched off on the command line (which wins over files).
import { execFile } from 'node:child_process';
import type { ChangedFile } from '../../protocol/workspace.js';

const MAX_OUTPUT = 64 * 1024 * 1024;
const TIMEOUT_MS = 20_000;

/** The environment git gets: no system or global configuration, no prompts, no index writes. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
}

const SAFE_CONFIG = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.untrackedCache=false',
  'diff.external=',
  'submodule.recurse=false',
  'protocol.allow=never',
  'core.quotePath=false',
];

function run(cwd: string, args: string[], input?: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: gitEnv(), maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code: number }).code) : 0, stdout });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

export interface GitRepo {
  /** Working folder relative to the repository's top (`a/b/`, '' at the top). */
  prefix: string;
  /** `-c` arguments that switch off what could run a command. */
  safety: string[];
}

/** The repository the folder is in, or null (no git, not a repository, or git refuses it). */
export async function openRepo(cwd: string): Promise<GitRepo | null> {
  let prefix: { code: number; stdout: string };
  let filters: { code: number; stdout: string };
  try {
    [prefix, filters] = await Promise.all([
      run(cwd, ['-c', 'core.fsmonitor=false', 'rev-parse', '--show-prefix']),
      // Names only: reading the configuration runs nothing.
      run(cwd, ['config', '--name-only', '--get-regexp', '^filter\\.']),
    ]);
  } catch {
    return null;
  }
  if (prefix.code !== 0) return null;
  const drivers = new Set<string>();
  for (const key of filters.stdout.split('\n')) {
    const m = /^filter\.(.+)\.[^.]+$/.exec(key.trim());
    if (m?.[1]) drivers.add(m[1]);
  }
  const safety: string[] = [];
  for (const c of SAFE_CONFIG) safety.push('-c', c);
  for (const d of drivers)
    safety.push('-c', `filter.${d}.clean=`, '-c', `filter.${d}.smudge=`, '-c', `filter.${d}.process=`, '-c', `filter.${d}.required=false`);
  return { prefix: prefix.stdout.trim(), safety };
}

const DIFF_FLAGS = ['--no-ext-diff', '--no-textconv', '--ignore-submodules=all', '--relative'];

export interface GitChanges {
  branch: string | null;
  head: string | null;
  files: ChangedFile[];
}

function statusOf(xy: string): ChangedFile['status'] {
  if (xy.includes('R') || xy.includes('C')) return 'renamed';
  if (xy.includes('A')) return 'added';
  if (xy.includes('D')) return 'deleted';
  return 'modified';
}

/** Branch, commit and the changed files under the working folder (paths relative to it). */
export async function gitChanges(cwd: string, repo: GitRepo): Promise<GitChanges> {
  const [status, numstat] = await Promise.all([
    run(cwd, [
      ...repo.safety,
      'status',
      '--porcelain=v2',
      '-z',
      '--branch',
      '--untracked-files=all',
      '--ignore-submodules=all',
      '--no-renames',
      '--',
      '.',
    ]),
    run(cwd, [...repo.safety, 'diff', 'HEAD', '--numstat', '-z', '--no-renames', ...DIFF_FLAGS, '--', '.']),
  ]);
  let branch: string | null = null;
  let head: string | null = null;
  const files = new Map<string, ChangedFile>();
  const rel = (p: string) => (repo.prefix && p.startsWith(repo.prefix) ? p.slice(repo.prefix.length) : p);
  const records = status.stdout.split('\0');
  for (const rec of records) {
    if (rec.startsWith('# branch.head ')) {
      const b = rec.slice('# branch.head '.length);
      branch = b === '(detached)' ? null : b;
    } else if (rec.startsWith('# branch.oid ')) {
      const o = rec.slice('# branch.oid '.length);
      head = o === '(initial)' ? null : o;
    } else if (rec.startsWith('1 ')) {
      const parts = rec.split(' ');
      const p = rel(parts.slice(8).join(' '));
      files.set(p, { path: p, status: statusOf(parts[1] ?? ''), additions: null, deletions: null, by_session: false });
    } else if (rec.startsWith('u ')) {
      const parts = rec.split(' ');
      const p = rel(parts.slice(10).join(' '));
      files.set(p, { path: p, status: 'conflicted', additions: null, deletions: null, by_session: false });
    } else if (rec.startsWith('? ')) {
      const p = rel(rec.slice(2));
      files.set(p, { path: p, status: 'untracked', additions: null, deletions: null, by_session: false });
    }
  }
  if (numstat.code === 0) {
    for (const rec of numstat.stdout.split('\0')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(rec);
      if (!m) continue;
      const f = files.get(m[3] as string);
      if (!f) continue;
      f.additions = m[1] === '-' ? null : Number(m[1]);
      f.deletions = m[2] === '-' ? null : Number(m[2]);
    }
  }
  return { branch, head, files: [...files.values()] };
}

/** The unified diff of one tracked file against the commit checked out ('' when unchanged). */
export async function gitDiff(cwd: string, repo: GitRepo, rel: string): Promise<string> {
  const r = await run(cwd, [...repo.safety, 'diff', 'HEAD', '--no-color', ...DIFF_FLAGS, '--', rel]);
  return r.code === 0 ? r.stdout : '';
}

/** Whether git tracks the file (at HEAD or in the index). */
export async function gitTracks(cwd: string, repo: GitRepo, rel: string): Promise<boolean> {
  const r = await run(cwd, [...repo.safety, 'ls-files', '--error-unmatch', '--', rel]);
  return r.code === 0;
}
