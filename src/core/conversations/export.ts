// A conversation as a file to keep or share: Markdown to read (turns, tool calls in a line
// each, costs) or JSON to process (the summary and every stored message as the protocol
// defines them).
import type { HistoryMessage, SessionSummary } from '../../protocol/messages.js';

export type ExportFormat = 'markdown' | 'json';

/** A download name from the title: ASCII letters, digits and dashes only (safe in a header), plus the id's start. */
export function exportFilename(s: SessionSummary, format: ExportFormat): string {
  const slug = (s.title ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '')
    .toLowerCase();
  return `${slug || 'session'}-${s.session_id.slice(0, 8)}.${format === 'json' ? 'json' : 'md'}`;
}

const money = (usd: number) => `$${usd.toFixed(usd > 0 && usd < 0.01 ? 4 : 2)}`;
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

/** One line saying what a tool call did: its command, file or pattern, else its input cut short. */
export function toolLine(tool: string, input: Record<string, unknown>): string {
  const pick = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description'].find((k) => typeof input[k] === 'string');
  const text = pick ? (input[pick] as string) : JSON.stringify(input);
  const one = text.replace(/\s+/g, ' ').trim();
  return `${tool}: ${one.length > 160 ? `${one.slice(0, 159)}…` : one}`;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = '`'.repeat(Math.max(1, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}

export function exportMarkdown(s: SessionSummary, messages: HistoryMessage[]): string {
  const out: string[] = [
    `# ${s.title ?? 'Untitled session'}`,
    '',
    `- Session: \`${s.session_id}\``,
    `- Created: ${when(s.created_at)} · last active: ${when(s.last_active_at)}`,
    `- Messages: ${s.message_count} · total cost: ${money(s.total_cost_usd)}`,
    '',
  ];
  const results = new Map<string, Extract<HistoryMessage, { type: 'tool_result' }>>();
  for (const m of messages) if (m.type === 'tool_result') results.set(m.tool_use_id, m);
  let speaker: string | null = null;
  for (const m of messages) {
    switch (m.type) {
      case 'user':
        out.push('---', '', `## You · ${when(m.timestamp)}`, '', m.text, '');
        speaker = 'user';
        break;
      case 'assistant':
        if (speaker !== 'assistant') out.push(`## Claude · ${when(m.timestamp)}`, '');
        out.push(m.text, '');
        speaker = 'assistant';
        break;
      case 'tool_use': {
        const r = results.get(m.tool_use_id);
        const outcome = r
          ? `${r.status === 'error' ? 'failed' : 'ok'}${r.duration_ms != null ? `, ${r.duration_ms} ms` : ''}`
          : 'no result';
        if (speaker !== 'assistant') out.push(`## Claude · ${when(m.timestamp)}`, '');
        out.push(`- Tool ${code(toolLine(m.tool, m.input))} (${outcome})`, '');
        speaker = 'assistant';
        break;
      }
      case 'tool_result':
        break;
      case 'turn_result':
        out.push(
          `*${m.outcome === 'complete' ? 'Done' : m.outcome === 'interrupted' ? 'Stopped' : 'Failed'} · ${money(m.cost_usd)} · ${m.turn_count} model ${m.turn_count === 1 ? 'turn' : 'turns'}*`,
          '',
        );
        break;
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
