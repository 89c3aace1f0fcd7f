// Turns the SDK's message stream for one turn into protocol frames.
// Pure apart from the clock, so unit tests drive it with recorded messages.
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { TurnRecord } from '../../db/ports.js';
import type { HistoryMessage } from '../../protocol/messages.js';
import { attachmentRefs, isAttachmentText } from '../conversations/attachments.js';
import type { EventInput } from './session-events.js';

/** The frames a turn's SDK messages become (before the session stamps them). */
export type TurnEvent = Extract<EventInput, { type: 'stream_delta' | 'tool_use' | 'tool_result' | 'stream_status' }>;

export interface TurnResult {
  subtype: string;
  isError: boolean;
  totalCostUsd: number;
  numTurns: number;
  errors: string[];
  resultText: string;
  /** Tokens in the context after the turn (its last main-loop model call), when known. */
  contextTokens: number | null;
  /** The main model's context window, when the CLI reports it. */
  contextWindow: number | null;
}

interface ApiUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Everything one model call had in its context: input (cached or not) plus what it wrote. */
const contextOf = (u: ApiUsage): number =>
  (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.output_tokens ?? 0);

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };

/** Flattens tool_result content (string or blocks) into text. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((b: Block) => (b.type === 'text' ? (b.text ?? '') : b.type === 'image' ? '[image]' : '')).join('\n');
  return content == null ? '' : JSON.stringify(content);
}

/**
 * The spec shows `result` as an object ({"count": 45231}); tool output is text.
 * JSON objects pass through as they are; anything else becomes {"output": text};
 * errors become {"error": text} (spec: "On error: result contains {"error": …}").
 */
export function toolResultObject(content: unknown, isError: boolean): Record<string, unknown> {
  const text = toolResultText(content);
  if (isError) return { error: text };
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      return asObject(JSON.parse(t));
    } catch {
      /* not JSON */
    }
  }
  return { output: text };
}

export class TurnTranslator {
  private readonly toolStarted = new Map<string, number>();
  /** Assistant message ids whose text already streamed as deltas. */
  private readonly streamed = new Set<string>();
  private currentMessageId: string | null = null;
  result: TurnResult | null = null;
  /** All text the model produced this turn (for logs and tests). */
  text = '';
  /** The CLI's own error message for this turn (model API failures), if any. */
  errorText: string | null = null;
  /** The last main-loop model call: its context size and model. */
  private lastCall: { tokens: number; model: string } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Returns the frames one SDK message yields (often none). */
  push(msg: SDKMessage): TurnEvent[] {
    switch (msg.type) {
      case 'stream_event': {
        if (msg.parent_tool_use_id) return []; // a subagent's own stream stays inside its tool card
        const ev = msg.event as { type: string; message?: { id?: string }; delta?: { type: string; text?: string } };
        if (ev.type === 'message_start') this.currentMessageId = ev.message?.id ?? null;
        if (ev.type === 'content_block_delta' && ev.delta?.type === 'text_delta' && ev.delta.text) {
          if (this.currentMessageId) this.streamed.add(this.currentMessageId);
          this.text += ev.delta.text;
          return [{ type: 'stream_delta', delta: ev.delta.text }];
        }
        return [];
      }
      case 'assistant': {
        if (msg.parent_tool_use_id) return [];
        const out: TurnEvent[] = [];
        const id = (msg.message as { id?: string }).id ?? '';
        const blocks = (msg.message.content ?? []) as Block[];
        const usage = (msg.message as { usage?: ApiUsage }).usage;
        if (usage && !msg.error) this.lastCall = { tokens: contextOf(usage), model: (msg.message as { model?: string }).model ?? '' };
        if (msg.error) {
          // The CLI's synthetic "API Error: …" message: a failure to report, not model text.
          this.errorText =
            blocks
              .filter((b) => b.type === 'text')
              .map((b) => b.text ?? '')
              .join('') || msg.error;
          return [];
        }
        // Text that never streamed (non-streaming fallback) is sent whole, once.
        if (!this.streamed.has(id)) {
          const text = blocks
            .filter((b) => b.type === 'text')
            .map((b) => b.text ?? '')
            .join('');
          if (text) {
            this.streamed.add(id);
            this.text += text;
            out.push({ type: 'stream_delta', delta: text });
          }
        }
        for (const b of blocks) {
          if (b.type !== 'tool_use' || !b.id) continue;
          this.toolStarted.set(b.id, this.now());
          out.push({ type: 'tool_use', tool_use_id: b.id, tool: b.name ?? '', input: asObject(b.input ?? {}) });
        }
        return out;
      }
      case 'user': {
        if (msg.parent_tool_use_id) return [];
        const content = msg.message.content;
        if (!Array.isArray(content)) return [];
        const out: TurnEvent[] = [];
        for (const b of content as Block[]) {
          if (b.type !== 'tool_result' || !b.tool_use_id) continue;
          const started = this.toolStarted.get(b.tool_use_id);
          out.push({
            type: 'tool_result',
            tool_use_id: b.tool_use_id,
            result: toolResultObject(b.content, b.is_error === true),
            status: b.is_error ? 'error' : 'success',
            duration_ms: started === undefined ? null : Math.max(0, Math.round(this.now() - started)),
          });
        }
        return out;
      }
      case 'system': {
        if (msg.subtype === 'api_retry') {
          const m = msg as { attempt: number; max_retries: number; retry_delay_ms: number; error_status: number | null; error?: unknown };
          return [
            {
              type: 'stream_status',
              status: 'retrying',
              attempt: Math.max(1, m.attempt),
              max_retries: Math.max(0, m.max_retries),
              retry_in_ms: Math.max(0, m.retry_delay_ms),
              error: m.error_status ? `Model API error ${m.error_status}` : 'Model API unreachable',
            },
          ];
        }
        return [];
      }
      case 'result': {
        const r = msg as {
          subtype: string;
          is_error: boolean;
          total_cost_usd?: number;
          num_turns?: number;
          errors?: string[];
          result?: string;
          modelUsage?: Record<string, { contextWindow?: number }>;
        };
        const windows = Object.entries(r.modelUsage ?? {});
        const window =
          (this.lastCall && r.modelUsage?.[this.lastCall.model]?.contextWindow) ||
          Math.max(0, ...windows.map(([, m]) => m.contextWindow ?? 0)) ||
          null;
        this.result = {
          subtype: r.subtype,
          isError: r.is_error,
          totalCostUsd: r.total_cost_usd ?? 0,
          numTurns: r.num_turns ?? 0,
          errors: r.errors ?? [],
          resultText: r.result ?? '',
          contextTokens: this.lastCall?.tokens ?? null,
          contextWindow: window,
        };
        return [];
      }
      default:
        return [];
    }
  }
}

/** Builds `session_history` entries from the SDK transcript (getSessionMessages()). */
export function historyFromTranscript(
  messages: { type: string; uuid?: string; message: unknown; parent_tool_use_id: string | null; timestamp?: string }[],
): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  const toolStarted = new Map<string, number>();
  for (const m of messages) {
    if (m.parent_tool_use_id) continue;
    const timestamp = m.timestamp ?? new Date(0).toISOString();
    const content = (m.message as { content?: unknown }).content;
    const blocks: Block[] =
      typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? (content as Block[]) : [];
    if (m.type === 'user') {
      const text = userFacingText(
        blocks
          .filter((b) => b.type === 'text' && !(b.text ?? '').startsWith('<system-reminder>') && !isAttachmentText(b.text ?? ''))
          .map((b) => b.text ?? '')
          .join('\n'),
      );
      const attachments = attachmentRefs(m.uuid, blocks as Parameters<typeof attachmentRefs>[1]);
      if (text.trim() || attachments.length > 0)
        out.push({
          type: 'user',
          text,
          timestamp,
          ...(attachments.length > 0 ? { attachments } : {}),
          ...(m.uuid ? { message_id: m.uuid } : {}),
        });
      for (const b of blocks)
        if (b.type === 'tool_result' && b.tool_use_id) {
          const ran = Date.parse(timestamp) - (toolStarted.get(b.tool_use_id) ?? Number.NaN);
          out.push({
            type: 'tool_result',
            tool_use_id: b.tool_use_id,
            result: toolResultObject(b.content, b.is_error === true),
            status: b.is_error ? 'error' : 'success',
            // the transcript stamps both rows: their gap is the tool's run time
            duration_ms: Number.isFinite(ran) ? Math.max(0, Math.round(ran)) : null,
            timestamp,
          });
        }
    } else if (m.type === 'assistant') {
      for (const b of blocks) {
        if (b.type === 'text' && b.text) {
          const prev = out[out.length - 1];
          // one streamed answer may be stored as several assistant rows: join adjacent text
          if (prev?.type === 'assistant') prev.text += b.text;
          else out.push({ type: 'assistant', text: b.text, timestamp });
        } else if (b.type === 'tool_use' && b.id) {
          toolStarted.set(b.id, Date.parse(timestamp));
          out.push({ type: 'tool_use', tool_use_id: b.id, tool: b.name ?? '', input: asObject(b.input ?? {}), timestamp });
        }
      }
    }
  }
  return out;
}

/**
 * A project command is stored by the CLI as markup plus the expanded file;
 * the user typed `/name args`, so that is what history shows.
 */
export function userFacingText(text: string): string {
  const name = text.match(/<command-name>\/(?:[\w-]+:)?([\w-]+)<\/command-name>/);
  if (!name) return text;
  const args = text.match(/<command-args>([\s\S]*?)<\/command-args>/)?.[1] ?? '';
  return `/${name[1]}${args ? ` ${args}` : ''}`;
}

/**
 * Puts each stored turn outcome (cost, turns) after the messages of its turn. A turn
 * belongs to the first user message stamped at or after its start (less 2 s of slack
 * between our clock and the CLI's): its result goes before the next user message.
 */
export function withTurnResults(messages: HistoryMessage[], turns: Omit<TurnRecord, 'session_id'>[]): HistoryMessage[] {
  if (turns.length === 0) return messages;
  const userIdx = messages.flatMap((m, i) => (m.type === 'user' ? [i] : []));
  const after = new Map<number, HistoryMessage>(); // index of the last message of a turn -> its result
  let u = 0;
  for (const t of turns) {
    const start = Date.parse(t.started_at) - 2000;
    while (u < userIdx.length && Date.parse(messages[userIdx[u] as number]?.timestamp ?? '') < start) u++;
    if (u >= userIdx.length) break;
    // a turn whose message never reached the transcript (it failed before the CLI took it)
    if (Date.parse(messages[userIdx[u] as number]?.timestamp ?? '') > Date.parse(t.ended_at) + 2000) continue;
    const end = (userIdx[u + 1] ?? messages.length) - 1;
    after.set(end, {
      type: 'turn_result',
      outcome: t.outcome,
      cost_usd: Math.round(t.cost_usd * 1e6) / 1e6,
      turn_count: t.turn_count,
      timestamp: t.ended_at,
      ...(t.context_tokens != null ? { context_tokens: t.context_tokens } : {}),
      ...(t.context_window != null ? { context_window: t.context_window } : {}),
    });
    u++;
  }
  const out: HistoryMessage[] = [];
  messages.forEach((m, i) => {
    out.push(m);
    const r = after.get(i);
    if (r) out.push(r);
  });
  return out;
}
