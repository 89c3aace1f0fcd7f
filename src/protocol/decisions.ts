// The words a denied tool call carries to the model, defined once: the server writes them as the
// deny message, and the page reads a tool result that starts with one as a decision (a neutral
// record: "You denied this", "You asked Claude to keep planning"), not as a failed tool call.

export const DENIED = 'The user denied this tool call.';
export const KEEP_PLANNING = 'The user wants to keep planning; do not start yet.';
export const SKIPPED_QUESTION = 'The user skipped the question.';
export const NO_ANSWER = 'No answer to the permission request';

export type DecisionKind = 'denied' | 'keep_planning' | 'skipped' | 'no_answer';

/** The deny message the model reads: the decision, then what the person wrote, if anything. */
export function denialMessage(kind: 'denied' | 'keep_planning', note?: string): string {
  const head = kind === 'keep_planning' ? KEEP_PLANNING : DENIED;
  const text = note?.trim();
  return text ? `${head} They said: ${text}` : head;
}

/** A tool result's text read as a person's decision, or null when it is an ordinary result or error. */
export function decisionOf(text: string): { kind: DecisionKind; note?: string } | null {
  // The CLI may wrap the message (e.g. "Error: …" or in a tool_use_error tag): look for it anywhere at the start of a line.
  const t = text.replace(/<\/?tool_use_error>/g, '').trim();
  const read = (head: string, kind: DecisionKind) => {
    const at = t.indexOf(head);
    if (at < 0 || at > 40) return null;
    const rest = t.slice(at + head.length).trim();
    const said = rest.match(/^They said:\s*([\s\S]*)$/);
    return said?.[1]?.trim() ? { kind, note: said[1].trim() } : { kind };
  };
  return (
    read(DENIED, 'denied') ?? read(KEEP_PLANNING, 'keep_planning') ?? read(SKIPPED_QUESTION, 'skipped') ?? read(NO_ANSWER, 'no_answer')
  );
}
