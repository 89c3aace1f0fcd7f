// An Anthropic Messages-compatible HTTP server on loopback, scripted per test.
// The CLI reaches it through ANTHROPIC_BASE_URL. It powers the demo mode too.
// Replies are taken, in order, from the queue of the session that asked
// (x-claude-code-session-id header), then from the global queue, then from the
// default responder (prompt directives, else a demo echo).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { kind: 'text'; text: string; chunks?: number; delayMs?: number; firstDelayMs?: number }
  | { kind: 'tool_use'; name: string; input: Record<string, unknown>; id?: string; text?: string }
  | { kind: 'error'; status: number; type?: string; message?: string }
  /** Holds the request open and sends nothing until the client goes away or the model closes. */
  | { kind: 'hang' }
  /** Streams part of a text answer, then cuts the connection. */
  | { kind: 'drop'; text: string };

export interface RecordedRequest {
  at: number;
  path: string;
  sessionId: string | undefined;
  stream: boolean;
  model: string;
  body: Record<string, unknown>;
  /** Text of the last user message, system reminders left out. */
  lastUserText: string;
  /** Every user text in the conversation, in order (what the model "remembers"). */
  userTexts: string[];
  /** Tool results in the last user message. */
  toolResults: { tool_use_id: string; content: string; is_error: boolean }[];
  /** The system prompt, flattened. */
  system: string;
  toolNames: string[];
}

interface ContentBlock {
  type: string;
  text?: string;
  content?: unknown;
  tool_use_id?: string;
  is_error?: boolean;
}
interface Msg {
  role: string;
  content: string | ContentBlock[];
}

const flatten = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: ContentBlock) => (b.type === 'text' ? (b.text ?? '') : flatten(b.content))).join('');
  return '';
};

const userTextOf = (m: Msg): string =>
  typeof m.content === 'string'
    ? m.content
    : m.content
        .filter((b) => b.type === 'text' && !(b.text ?? '').startsWith('<system-reminder>'))
        .map((b) => b.text ?? '')
        .join('\n')
        .trim();

export function parseRequest(path: string, headers: http.IncomingHttpHeaders, body: Record<string, unknown>): RecordedRequest {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Msg[];
  const users = messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  const lastBlocks = last && Array.isArray(last.content) ? last.content : [];
  const sys = body.system;
  return {
    at: Date.now(),
    path,
    sessionId: (headers['x-claude-code-session-id'] as string | undefined) ?? undefined,
    stream: body.stream === true,
    model: String(body.model ?? ''),
    body,
    lastUserText: last ? userTextOf(last) : '',
    userTexts: users.map(userTextOf).filter(Boolean),
    toolResults: lastBlocks
      .filter((b) => b.type === 'tool_result')
      .map((b) => ({ tool_use_id: b.tool_use_id ?? '', content: flatten(b.content), is_error: b.is_error === true })),
    system: typeof sys === 'string' ? sys : flatten(sys),
    toolNames: Array.isArray(body.tools) ? (body.tools as { name: string }[]).map((t) => t.name) : [],
  };
}

/**
 * The default responder. Prompt directives make the model scriptable from a
 * chat box (tests and the demo use them):
 *   `run: <shell command>`         -> a Bash tool call, then a summary of its output
 *   `tool: <name> <json input>`    -> a call of any tool, then a summary
 *   `say: <text>`                  -> exactly <text>
 *   `plan: <markdown>`             -> <markdown>, then ExitPlanMode (asks to approve the plan)
 *   `slow: <n> <text>`             -> <text> in n chunks, 50 ms apart
 *   `error: <status>`              -> that HTTP error (the CLI retries, then reports it)
 *   `drop: <text>`                 -> <text> streamed, then the connection cut
 * Anything else gets a short demo answer that quotes the prompt.
 */
export function defaultReply(req: RecordedRequest): Reply {
  if (!req.stream) return { kind: 'text', text: 'Demo title' };
  if (req.toolResults.length > 0) {
    const r = req.toolResults[0];
    const out = (r?.content ?? '').trim().slice(0, 2000);
    return { kind: 'text', text: r?.is_error ? `The tool failed: ${out}` : `The tool returned:\n\n\`\`\`\n${out}\n\`\`\`` };
  }
  // The CLI may prefix a message with a note such as "[Request interrupted by user]".
  const t = req.lastUserText
    .split('\n')
    .filter((l) => !/^\[Request interrupted/.test(l.trim()))
    .join('\n')
    // and mentions attached files (the platform's <attachment> blocks, the CLI's image notes): a directive with files still works.
    .replace(/<attachment [^>]*\/>|<attachment [^>]*>[\s\S]*?<\/attachment>|\[Image: source: [^\]]*\]/g, '')
    .trim();
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^run:\s*([\s\S]+)$/)))
    return { kind: 'tool_use', name: 'Bash', input: { command: m[1]?.trim() ?? '', description: 'Run a command' } };
  if ((m = t.match(/^tool:\s*(\S+)\s+([\s\S]+)$/))) {
    try {
      return { kind: 'tool_use', name: m[1] ?? '', input: JSON.parse(m[2] ?? '{}') as Record<string, unknown> };
    } catch {
      return { kind: 'text', text: 'That tool input is not JSON.' };
    }
  }
  if ((m = t.match(/^say:\s*([\s\S]*)$/))) return { kind: 'text', text: m[1] ?? '' };
  if ((m = t.match(/^plan:\s*([\s\S]+)$/))) return { kind: 'tool_use', name: 'ExitPlanMode', input: {}, text: m[1] ?? '' };
  if ((m = t.match(/^error:\s*(\d{3})$/))) return { kind: 'error', status: Number(m[1]) };
  if ((m = t.match(/^drop:\s*([\s\S]*)$/))) return { kind: 'drop', text: m[1] || 'partial' };
  if ((m = t.match(/^slow:\s*(\d+)\s+([\s\S]*)$/))) return { kind: 'text', text: m[2] ?? '', chunks: Number(m[1]), delayMs: 50 };
  const earlier = req.userTexts.length - 1;
  return {
    kind: 'text',
    text:
      `This is the built-in **demo model**: no \`ANTHROPIC_API_KEY\` is set, so answers are scripted.\n\n` +
      `You said: "${t.slice(0, 500)}"` +
      (earlier > 0 ? `\n\nI remember ${earlier} earlier message${earlier === 1 ? '' : 's'} in this conversation.` : '') +
      `\n\nTry \`run: touch hello.txt\` to see a tool call (it writes, so it asks first), or \`slow: 40 a long streamed answer\`.`,
  };
}

function chunk(text: string, n: number): string[] {
  if (n <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly queues = new Map<string, Reply[]>();
  private readonly global: Reply[] = [];
  private readonly waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  private readonly open = new Set<http.ServerResponse>();
  /** Optional hook that can answer before the queues do (return undefined to pass). */
  responder: ((req: RecordedRequest) => Reply | undefined) | undefined;
  private readonly maxRecorded: number;

  constructor(opts: { maxRecorded?: number } = {}) {
    this.maxRecorded = opts.maxRecorded ?? 10_000;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  /** Queue replies for one CLI session (by its session id), or for anyone (no id). */
  enqueue(sessionId: string | undefined, ...replies: Reply[]): void {
    if (!sessionId) {
      this.global.push(...replies);
      return;
    }
    const q = this.queues.get(sessionId) ?? [];
    q.push(...replies);
    this.queues.set(sessionId, q);
  }

  requestsFor(sessionId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.sessionId === sessionId);
  }

  /** Resolves with the first request (already recorded or future) that matches. */
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs = 30_000): Promise<RecordedRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('waitForRequest timed out')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      });
    });
  }

  /** Ends every hanging or streaming response (a hung model "recovers"). */
  releaseAll(): void {
    for (const res of this.open) res.destroy();
    this.open.clear();
  }

  async close(): Promise<void> {
    this.releaseAll();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private next(rec: RecordedRequest): Reply {
    const hooked = this.responder?.(rec);
    if (hooked) return hooked;
    // Only the main streaming conversation consumes scripted replies; side calls
    // (titles, token counts) get the default so scripts stay predictable.
    if (rec.stream) {
      const q = rec.sessionId ? this.queues.get(rec.sessionId) : undefined;
      const r = q?.shift() ?? this.global.shift();
      if (r) return r;
    }
    return defaultReply(rec);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? '/';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'bad json' } }));
      return;
    }
    if (url.includes('/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: Math.ceil(JSON.stringify(body).length / 4) }));
      return;
    }
    if (!url.startsWith('/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: url } }));
      return;
    }
    const rec = parseRequest(url, req.headers, body);
    this.requests.push(rec);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
    for (const w of [...this.waiters])
      if (w.pred(rec)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(rec);
      }
    const reply = this.next(rec);
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    try {
      await this.send(rec, reply, res);
    } catch {
      res.destroy();
    }
  }

  private async send(rec: RecordedRequest, reply: Reply, res: http.ServerResponse): Promise<void> {
    if (reply.kind === 'hang') return; // left open on purpose
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: {
            type: reply.type ?? (reply.status === 529 ? 'overloaded_error' : 'api_error'),
            message: reply.message ?? `Scripted HTTP ${reply.status}`,
          },
        }),
      );
      return;
    }
    const id = `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const usage = { input_tokens: Math.ceil(JSON.stringify(rec.body.messages ?? '').length / 4), output_tokens: 1 };
    const content: Record<string, unknown>[] = [];
    const text = reply.text;
    if (text) content.push({ type: 'text', text });
    const toolId = reply.kind === 'tool_use' ? (reply.id ?? `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`) : '';
    if (reply.kind === 'tool_use') content.push({ type: 'tool_use', id: toolId, name: reply.name, input: reply.input });
    const stopReason = reply.kind === 'tool_use' ? 'tool_use' : 'end_turn';
    const outTokens = Math.max(1, Math.ceil((text ?? '').length / 4));

    if (!rec.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model: rec.model,
          content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: { ...usage, output_tokens: outTokens },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const ev = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    ev('message_start', {
      message: { id, type: 'message', role: 'assistant', model: rec.model, content: [], stop_reason: null, stop_sequence: null, usage },
    });
    let index = 0;
    if (text) {
      ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      const parts = reply.kind === 'text' ? chunk(text, reply.chunks ?? 1) : [text];
      const delay = reply.kind === 'text' ? (reply.delayMs ?? 0) : 0;
      if (reply.kind === 'text' && reply.firstDelayMs) await sleep(reply.firstDelayMs);
      for (let i = 0; i < parts.length; i++) {
        if (res.destroyed) return;
        ev('content_block_delta', { index, delta: { type: 'text_delta', text: parts[i] } });
        if (delay && i < parts.length - 1) await sleep(delay);
      }
      if (reply.kind === 'drop') {
        res.destroy(); // mid-stream cut: no content_block_stop, no message_stop
        return;
      }
      ev('content_block_stop', { index });
      index++;
    }
    if (reply.kind === 'tool_use') {
      ev('content_block_start', { index, content_block: { type: 'tool_use', id: toolId, name: reply.name, input: {} } });
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) } });
      ev('content_block_stop', { index });
    }
    ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outTokens } });
    ev('message_stop', {});
    res.end();
  }
}
