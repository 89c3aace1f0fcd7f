// Tool permissions of one session: pending requests (answered, timed out or
// cancelled exactly once) and the "Always allow" rules the user granted.
// Always allow is scoped, never the whole tool when the tool can reach the host:
//   Bash        -> a command prefix per sub-command (bash-rules.ts), none for dangerous or unreadable commands
//   file tools  -> paths inside PROJECT_DIR (symlinks resolved), minus the platform's own extension files
//   other tools -> the tool, by name
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PermissionResult, PermissionUpdate } from '@anthropic-ai/claude-agent-sdk';
import type { PermissionOutcome } from '../../protocol/accounting.js';
import { denialMessage, NO_ANSWER } from '../../protocol/decisions.js';
import type { PermissionDecision } from '../../protocol/messages.js';
import { bashCovered, bashOffer, bashScope, type Pattern } from './bash-rules.js';

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

type Rule = { kind: 'tool'; tool: string } | { kind: 'prefixes'; tool: string; prefixes: Pattern[] } | { kind: 'in_project'; tool: string };

export interface PermissionRequestEvent {
  type: 'permission_request';
  request_id: string;
  tool: string;
  input: Record<string, unknown>;
  timeout_seconds: number;
  /** When the request is denied unanswered (ISO time). */
  expires_at: string;
  always_allow_scope?: string;
  warning?: string;
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

/** What the CLI knows about a call (canUseTool's options). */
export interface CliAdvice {
  /** The CLI's own "don't ask again" rules for this call. */
  suggestions?: PermissionUpdate[];
  /** The CLI says no persistent rule should be offered for this call. */
  suppressAlwaysAllowRule?: boolean;
}

/** The Bash rule contents the CLI suggests allowing (`git status:*`, or an exact command). */
function suggestedBash(advice: CliAdvice): string[] {
  return (advice.suggestions ?? []).flatMap((u) =>
    (u.type === 'addRules' || u.type === 'replaceRules') && u.behavior === 'allow'
      ? u.rules.flatMap((r) => (r.toolName === 'Bash' && r.ruleContent ? [r.ruleContent] : []))
      : [],
  );
}

/** What "Always allow" offers for one call: the rule, the sentence that says what it covers, and any warning. */
export interface RuleOffer {
  rule: Rule | null;
  /** Absent when there is no rule to offer. */
  scope?: string;
  warning?: string;
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
      /** A request started or ended (what the session waits for may have changed). */
      pendingChanged?: () => void;
    },
  ) {
    this.projectReal = resolveReal(opts.projectDir);
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** The tools of the requests waiting for an answer, oldest first. */
  get pendingTools(): string[] {
    return [...this.pending.values()].map((p) => p.tool);
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

  /** The rule "Always allow" would add for this call, the sentence that says so, and a warning; rule null: this call only. */
  ruleFor(tool: string, input: Record<string, unknown>, advice: CliAdvice = {}): RuleOffer {
    if (QUESTION_TOOLS.has(tool)) return { rule: null };
    if (tool === 'Bash') {
      const command = typeof input.command === 'string' ? input.command : '';
      const offer = bashOffer(command, suggestedBash(advice));
      if (!offer.prefixes) return { rule: null, ...(offer.warning ? { warning: offer.warning } : {}) };
      if (advice.suppressAlwaysAllowRule) return { rule: null };
      return { rule: { kind: 'prefixes', tool, prefixes: offer.prefixes }, scope: bashScope(offer.prefixes) };
    }
    if (advice.suppressAlwaysAllowRule) return { rule: null };
    const field = FILE_TOOL_PATH[tool];
    if (field) {
      const target = typeof input[field] === 'string' ? (input[field] as string) : '.';
      const what = `${FILE_TOOL_VERB[tool] ?? `${tool} on files`} inside ${this.opts.projectDir} (except mcp.json, skills/ and commands/)`;
      if (!this.insideProject(target)) return { rule: null, warning: `${target} is outside ${this.opts.projectDir}: approve each call.` };
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
        case 'prefixes':
          if (typeof input.command === 'string' && bashCovered(input.command, r.prefixes)) return true;
          break;
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
    advice: CliAdvice = {},
  ): Promise<PermissionResult> {
    if (!QUESTION_TOOLS.has(tool) && this.allowedByRule(tool, input)) {
      this.opts.decided?.({ tool, input, outcome: 'by_rule' });
      return Promise.resolve({ behavior: 'allow', updatedInput: input });
    }
    const request_id = randomUUID();
    const timeoutMs = this.opts.timeoutMs;
    const { rule, scope, warning } = this.ruleFor(tool, input, advice);
    return new Promise<PermissionResult>((resolve) => {
      const settle = (r: PermissionResult, outcome: PermissionOutcome) => {
        const p = this.pending.get(request_id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(request_id);
        this.opts.decided?.({ tool, input, outcome, request_id });
        this.opts.pendingChanged?.();
        resolve(r);
      };
      const timer = setTimeout(
        () => settle({ behavior: 'deny', message: `${NO_ANSWER} within ${Math.round(timeoutMs / 1000)} s` }, 'timeout'),
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
        expires_at: new Date(Date.now() + timeoutMs).toISOString(),
        ...(scope ? { always_allow_scope: scope } : {}),
        ...(warning ? { warning } : {}),
      });
      this.opts.pendingChanged?.();
    });
  }

  /** Returns false when no such request is pending. */
  answer(requestId: string, decision: PermissionDecision, extras: AnswerExtras = {}): boolean {
    const p = this.pending.get(requestId);
    if (!p) return false;
    if (decision === 'allow_always' && p.rule) this.rules.push(p.rule);
    if (decision === 'deny') {
      const message =
        p.tool === 'AskUserQuestion' && extras.message
          ? extras.message
          : denialMessage(p.tool === 'ExitPlanMode' ? 'keep_planning' : 'denied', extras.message);
      p.resolve({ behavior: 'deny', message }, decision);
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
