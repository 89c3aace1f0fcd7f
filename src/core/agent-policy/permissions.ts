// Tool permissions of one session: pending requests (answered, timed out or
// cancelled exactly once) and the "Always allow" rules the user granted.
// Always allow is scoped, never the whole tool when the tool can reach the host:
//   Bash        -> commands with the same first word, single commands only
//   file tools  -> paths inside PROJECT_DIR (symlinks resolved), minus the platform's own extension files
//   other tools -> the tool, by name
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import type { PermissionOutcome } from '../../protocol/accounting.js';
import type { PermissionDecision } from '../../protocol/messages.js';

/** The input field that names the file (or folder) each file tool works on. */
const FILE_TOOL_PATH: Readonly<Record<string, string>> = {
  Read: 'file_path',
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
  Glob: 'path',
  Grep: 'path',
  LS: 'path',
};

const FILE_TOOL_VERB: Readonly<Record<string, string>> = {
  Read: 'Read files',
  Write: 'Write to files',
  Edit: 'Edit files',
  MultiEdit: 'Edit files (MultiEdit)',
  NotebookEdit: 'Edit notebooks',
  Glob: 'Find files',
  Grep: 'Search files',
  LS: 'List folders',
};

/** The platform's extensions in PROJECT_DIR: changing them would run code without a prompt. */
const PROTECTED = ['mcp.json', 'skills', 'commands'];

/** Pipes, chaining, redirection, substitution, escapes: a command with any of these can run more than its first word. */
const SHELL_CONTROL = /[;&|<>`$()\\\n\r]/;
const COMMAND_WORD = /^[\w.+/@:-]+$/;

type Rule =
  | { kind: 'tool'; tool: string }
  | { kind: 'first_word'; tool: string; word: string }
  | { kind: 'in_project'; tool: string }
  | { kind: 'exact'; tool: string; input: string };

export interface PermissionRequestEvent {
  type: 'permission_request';
  request_id: string;
  tool: string;
  input: Record<string, unknown>;
  timeout_seconds: number;
  always_allow_scope?: string;
}

/** How one tool call was decided (the audit log records each). */
export interface PermissionDecided {
  tool: string;
  input: Record<string, unknown>;
  outcome: PermissionOutcome;
  request_id?: string;
}

/** Tools that ask the user something: they always need an answer, even where every tool is allowed. */
export const QUESTION_TOOLS = new Set(['AskUserQuestion', 'ExitPlanMode']);

/** What an answer may carry besides the decision. */
export interface AnswerExtras {
  /** AskUserQuestion: question text -> answer, handed to the tool as its `answers`. */
  answers?: Record<string, string>;
  /** With deny: what the agent reads. */
  message?: string;
  /** With allow: permission changes the CLI applies (ExitPlanMode: leave plan mode). */
  updatedPermissions?: Extract<PermissionResult, { behavior: 'allow' }>['updatedPermissions'];
}

interface Pending {
  tool: string;
  input: Record<string, unknown>;
  rule: Rule | null;
  resolve: (r: PermissionResult, outcome: PermissionOutcome) => void;
  timer: NodeJS.Timeout;
}

/** The path with symlinks of its existing part resolved (a link inside the project cannot lead out of it). */
function resolveReal(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.join(head, ...tail);
      tail.unshift(path.basename(head));
      head = parent;
    }
  }
}

function firstWord(command: string): string | undefined {
  return command.trim().split(/\s+/)[0];
}

export class PermissionGate {
  private readonly pending = new Map<string, Pending>();
  private readonly rules: Rule[] = [];
  private readonly projectReal: string;

  constructor(
    private readonly opts: {
      projectDir: string;
      timeoutMs: number;
      emit: (ev: PermissionRequestEvent) => void;
      /** Told every decision, whoever or whatever made it. */
      decided?: (d: PermissionDecided) => void;
    },
  ) {
    this.projectReal = resolveReal(opts.projectDir);
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId);
  }

  /** Whether `p` (relative to PROJECT_DIR, or absolute) is inside PROJECT_DIR and not one of the platform's extension files. */
  insideProject(p: string): boolean {
    const real = resolveReal(path.resolve(this.opts.projectDir, p));
    const rel = path.relative(this.projectReal, real);
    if (rel === '') return true;
    if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
    const top = rel.split(path.sep)[0] as string;
    return !PROTECTED.includes(top);
  }

  /** The tool a pending request is about. */
  toolOf(requestId: string): string | undefined {
    return this.pending.get(requestId)?.tool;
  }

  /** The rule "Always allow" would add for this call, and the sentence that says so; null: this call only. */
  ruleFor(tool: string, input: Record<string, unknown>): { rule: Rule | null; scope: string } {
    if (QUESTION_TOOLS.has(tool)) return { rule: null, scope: 'Only this answer' };
    if (tool === 'Bash') {
      const command = typeof input.command === 'string' ? input.command : '';
      const word = firstWord(command);
      if (word && COMMAND_WORD.test(word))
        return {
          rule: { kind: 'first_word', tool, word },
          scope: `Bash commands starting with "${word}" (single commands only: no pipes, redirections, chaining or substitutions)`,
        };
      return { rule: { kind: 'exact', tool, input: command }, scope: 'This exact Bash command again' };
    }
    const field = FILE_TOOL_PATH[tool];
    if (field) {
      const target = typeof input[field] === 'string' ? (input[field] as string) : '.';
      const what = `${FILE_TOOL_VERB[tool] ?? `${tool} on files`} inside ${this.opts.projectDir} (except mcp.json, skills/ and commands/)`;
      if (!this.insideProject(target)) return { rule: null, scope: `Only this call: ${target} is outside ${this.opts.projectDir}` };
      return { rule: { kind: 'in_project', tool }, scope: what };
    }
    return { rule: { kind: 'tool', tool }, scope: `Every ${tool} call in this session` };
  }

  private allowedByRule(tool: string, input: Record<string, unknown>): boolean {
    for (const r of this.rules) {
      if (r.tool !== tool) continue;
      switch (r.kind) {
        case 'tool':
          return true;
        case 'exact':
          if (input.command === r.input) return true;
          break;
        case 'first_word': {
          const command = typeof input.command === 'string' ? input.command : '';
          if (!SHELL_CONTROL.test(command) && firstWord(command) === r.word) return true;
          break;
        }
        case 'in_project': {
          const field = FILE_TOOL_PATH[tool] as string;
          const target = typeof input[field] === 'string' ? (input[field] as string) : '.';
          if (this.insideProject(target)) return true;
          break;
        }
      }
    }
    return false;
  }

  /** Asks the user (through a permission_request event) unless a rule already allows the call. */
  request(
    tool: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
    shown: Record<string, unknown> = input,
  ): Promise<PermissionResult> {
    if (!QUESTION_TOOLS.has(tool) && this.allowedByRule(tool, input)) {
      this.opts.decided?.({ tool, input, outcome: 'by_rule' });
      return Promise.resolve({ behavior: 'allow', updatedInput: input });
    }
    const request_id = randomUUID();
    const timeoutMs = this.opts.timeoutMs;
    const { rule, scope } = this.ruleFor(tool, input);
    return new Promise<PermissionResult>((resolve) => {
      const settle = (r: PermissionResult, outcome: PermissionOutcome) => {
        const p = this.pending.get(request_id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(request_id);
        this.opts.decided?.({ tool, input, outcome, request_id });
        resolve(r);
      };
      const timer = setTimeout(
        () =>
          settle({ behavior: 'deny', message: `No answer to the permission request within ${Math.round(timeoutMs / 1000)} s` }, 'timeout'),
        timeoutMs,
      );
      this.pending.set(request_id, { tool, input, rule, resolve: settle, timer });
      signal.addEventListener('abort', () => settle({ behavior: 'deny', message: 'Cancelled' }, 'cancelled'), { once: true });
      this.opts.emit({
        type: 'permission_request',
        request_id,
        tool,
        input: shown,
        timeout_seconds: Math.round(timeoutMs / 1000),
        always_allow_scope: scope,
      });
    });
  }

  /** Returns false when no such request is pending. */
  answer(requestId: string, decision: PermissionDecision, extras: AnswerExtras = {}): boolean {
    const p = this.pending.get(requestId);
    if (!p) return false;
    if (decision === 'allow_always' && p.rule) this.rules.push(p.rule);
    if (decision === 'deny') {
      p.resolve({ behavior: 'deny', message: extras.message?.trim() || 'The user denied this tool call' }, decision);
      return true;
    }
    const updatedInput = extras.answers ? { ...p.input, answers: extras.answers } : p.input;
    p.resolve(
      { behavior: 'allow', updatedInput, ...(extras.updatedPermissions ? { updatedPermissions: extras.updatedPermissions } : {}) },
      decision,
    );
    return true;
  }

  /** Denies every pending request (the turn ended). */
  cancelAll(message: string): void {
    for (const p of [...this.pending.values()]) p.resolve({ behavior: 'deny', message }, 'cancelled');
  }
}
