// What a session waits for from its user, from the tools of its pending permission requests:
// a plan to approve (ExitPlanMode), a question (AskUserQuestion) or a permission prompt.
// The session summary carries it, so a session list and a tab title can show who waits.
import type { WaitingFor } from '../../protocol/messages.js';

export function waitingFor(pendingTools: Iterable<string>): WaitingFor | null {
  let found: WaitingFor | null = null;
  for (const tool of pendingTools) {
    // A permission prompt blocks a tool call now: it is what the person should see first.
    if (tool !== 'AskUserQuestion' && tool !== 'ExitPlanMode') return 'permission';
    if (tool === 'AskUserQuestion') found = 'question';
    else found ??= 'plan';
  }
  return found;
}
