// A turn: one user message and the agent's answer, as the session holds it.
import type { StreamErrorFrame, TurnOutcome } from '../../protocol/messages.js';
import type { EventInput } from './session-events.js';
import type { TurnResult as SdkResult, TurnTranslator } from './turn-translator.js';

export type SuggestedAction = (typeof StreamErrorFrame.shape.suggested_action.options)[number];

export interface TurnResult {
  outcome: TurnOutcome;
  cost_usd: number;
  turn_count: number;
  context_tokens?: number | null;
  context_window?: number | null;
}

export interface Turn {
  readonly text: string;
  /** The user message's transcript id. */
  readonly messageId: string | undefined;
  readonly startedAt: number;
  /** event_id just before this turn's first event */
  readonly startEventId: number;
  readonly translator: TurnTranslator;
  /** Resolves when the turn has ended, however it ended. */
  readonly done: Promise<void>;
}

/** The turn as the session holds it. */
export interface LiveTurn extends Turn {
  interruptRequested: boolean;
  interruptTimer: NodeJS.Timeout | null;
  finish: () => void;
}

/** How a turn the CLI finished ended: its last frame and its stored outcome. */
export function turnEnding(turn: LiveTurn, r: SdkResult, turnCost: number, sessionCost: number): { frame: EventInput; result: TurnResult } {
  const failed = r.isError || r.subtype !== 'success' || !!turn.translator.errorText;
  const outcome: TurnOutcome = turn.interruptRequested ? 'interrupted' : failed ? 'error' : 'complete';
  const result = { outcome, cost_usd: turnCost, turn_count: r.numTurns, context_tokens: r.contextTokens, context_window: r.contextWindow };
  if (outcome === 'interrupted') return { frame: { type: 'stream_interrupted' }, result };
  if (outcome === 'error')
    return {
      frame: {
        type: 'stream_error',
        error: turn.translator.errorText || r.errors.join('; ') || r.resultText || `The turn ended with ${r.subtype}`,
        partial_preserved: turn.translator.text.length > 0,
        suggested_action: 'retry',
      },
      result,
    };
  return {
    frame: {
      type: 'response_complete',
      cost_usd: Math.round(turnCost * 1e6) / 1e6,
      turn_count: r.numTurns,
      ...(r.contextTokens !== null ? { context_tokens: r.contextTokens } : {}),
      ...(r.contextWindow !== null ? { context_window: r.contextWindow } : {}),
      session_cost_usd: Math.round(sessionCost * 1e6) / 1e6,
    },
    result,
  };
}

/**
 * The CLI reports cost cumulatively per process, and a resumed process may start from the
 * total its transcript saved (baseline NaN: not yet known). The first result of a resumed
 * process tells which: a total at or above what we stored (`stored`) carried over.
 */
export function turnCost(baseline: number, total: number, stored: number): { cost: number; baseline: number } {
  const base = Number.isNaN(baseline) ? (total + 1e-9 >= stored ? stored : 0) : baseline;
  return { cost: Math.max(0, total - base), baseline: Math.max(base, total) };
}
