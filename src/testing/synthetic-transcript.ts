// Long conversations without a model: turns appended to a real CLI transcript in the
// CLI's own JSONL format (fields copied from transcripts CLI 2.1.332 wrote), chained by
// parentUuid from its last entry. For benchmarks and tests of big histories only.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

interface Entry {
  uuid?: string;
  parentUuid?: string | null;
  type?: string;
  sessionId?: string;
  cwd?: string;
  version?: string;
  timestamp?: string;
}

/** The transcript's entries (cut lines skipped). */
function readEntries(file: string): Entry[] {
  const out: Entry[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Entry);
    } catch {
      /* cut */
    }
  }
  return out;
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
  service_tier: 'standard',
});

/**
 * Appends `turns` question/answer turns to the transcript at `file` (every `toolEvery`-th
 * turn calls Bash first). Returns the user texts written. The session's CLI must not be
 * running (two writers would interleave).
 */
export function appendSyntheticTurns(file: string, turns: number, opts: { toolEvery?: number; startAt?: number } = {}): string[] {
  const entries = readEntries(file);
  const chained = entries.filter((e) => e.uuid && (e.type === 'user' || e.type === 'assistant'));
  const last = chained.at(-1);
  const first = entries.find((e) => e.sessionId && e.cwd);
  if (!first?.sessionId) throw new Error(`${file} has no entry with a session id`);
  const base = {
    isSidechain: false,
    userType: 'external',
    entrypoint: 'sdk-ts',
    cwd: first.cwd,
    sessionId: first.sessionId,
    version: first.version ?? '2.1.332',
    gitBranch: 'HEAD',
  };
  let parent = last?.uuid ?? null;
  let t = Math.max(Date.parse(last?.timestamp ?? '') || 0, Date.now() - turns * 4000);
  const stamp = () => new Date((t += 700)).toISOString();
  const lines: string[] = [];
  const push = (e: Record<string, unknown>) => {
    const uuid = randomUUID();
    lines.push(JSON.stringify({ parentUuid: parent, ...e, uuid, timestamp: stamp(), ...base }));
    parent = uuid;
    return uuid;
  };
  const assistant = (content: unknown[], stop: string) => ({
    type: 'assistant',
    message: {
      id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-5-5',
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: usage(2500, 60),
    },
    requestId: `req_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
  });
  const texts: string[] = [];
  const startAt = opts.startAt ?? 1;
  for (let i = startAt; i < startAt + turns; i++) {
    const text = `Synthetic question ${i}: how does part ${i} of the billing service handle retries and idempotency keys?`;
    texts.push(text);
    const promptId = randomUUID();
    push({ type: 'user', promptId, message: { role: 'user', content: text }, permissionMode: 'default', promptSource: 'sdk' });
    if (opts.toolEvery && i % opts.toolEvery === 0) {
      const id = `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const call = push(assistant([{ type: 'tool_use', id, name: 'Bash', input: { command: `grep -rn retry src/part${i}` } }], 'tool_use'));
      push({
        type: 'user',
        promptId,
        message: {
          role: 'user',
          content: [{ tool_use_id: id, type: 'tool_result', content: `src/part${i}/client.ts:12: retry(3)`, is_error: false }],
        },
        toolUseResult: { stdout: `src/part${i}/client.ts:12: retry(3)`, stderr: '', interrupted: false, isImage: false },
        sourceToolAssistantUUID: call,
      });
    }
    push(
      assistant(
        [
          {
            type: 'text',
            text: `Part ${i} retries a failed request up to three times with exponential backoff, and every write carries an idempotency key, so a retried payment is applied once. The key is stored with the result for 24 hours.`,
          },
        ],
        'end_turn',
      ),
    );
  }
  fs.appendFileSync(file, `${lines.join('\n')}\n`);
  return texts;
}
