// Plan mode has the agent write its plan to a file under <CLAUDE_CONFIG_DIR>/plans, and
// ExitPlanMode's input does not carry it. The plan to show is the file this session's agent
// wrote (named by its own Write/Edit calls, never the newest file of the folder: that folder is
// shared by every session).
import fs from 'node:fs/promises';
import path from 'node:path';

const MAX_PLAN_CHARS = 200_000;
const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit']);

/** The plan file among a turn's tool calls (the last one written), read; undefined when there is none. */
export async function planFromToolCalls(
  configDir: string,
  calls: { tool: string; input: Record<string, unknown> }[],
): Promise<string | undefined> {
  const plans = path.join(path.resolve(configDir), 'plans') + path.sep;
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i];
    const file = c && FILE_TOOLS.has(c.tool) && typeof c.input.file_path === 'string' ? path.resolve(c.input.file_path) : undefined;
    if (!file?.startsWith(plans) || !file.endsWith('.md')) continue;
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text?.trim()) return text.slice(0, MAX_PLAN_CHARS);
  }
  return undefined;
}
