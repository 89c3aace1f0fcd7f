// Project extensions: PROJECT_DIR/mcp.json, skills/<name>/SKILL.md,
// commands/<name>.md. Re-read from disk on every load (hot). Never writes into
// PROJECT_DIR: skills and commands reach the CLI through a generated local
// plugin in our data folder whose entries link back to the project's files.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { McpServerConfig, Options } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ExtensionsResponse } from '../../protocol/messages.js';
import type { ExtensionOptions } from './cli-options.js';

/** The generated plugin's name: CLI commands are `/project:<name>`; users type `/<name>`. */
export const PLUGIN_NAME = 'project';

const StdioServer = z.object({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});
const RemoteServer = z.object({
  type: z.enum(['http', 'sse']),
  url: z.string().url(),
  headers: z.record(z.string(), z.string()).optional(),
});
const McpJson = z.object({
  mcpServers: z.record(z.string().regex(/^[\w-]+$/, 'server names are letters, digits, _ and -'), z.union([StdioServer, RemoteServer])),
});
type McpServers = z.infer<typeof McpJson>['mcpServers'];

export interface SkillDef {
  name: string;
  description: string;
  /** Relative to PROJECT_DIR, e.g. ./skills/code-review/SKILL.md */
  path: string;
  dir: string;
}
export interface CommandDef {
  name: string;
  description: string | undefined;
  /** Relative to PROJECT_DIR, e.g. ./commands/deploy.md */
  path: string;
  file: string;
}

export interface ExtensionConfig {
  mcpServers: McpServers;
  skills: SkillDef[];
  commands: CommandDef[];
  fingerprint: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;
const MASK = '********';

function frontMatter(text: string): Record<string, unknown> | undefined {
  const m = text.match(FRONT_MATTER);
  if (!m) return undefined;
  const data: unknown = parseYaml(m[1] ?? '');
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
}

export class ExtensionLoader {
  /** Reasons already logged, so a broken file is reported once, not on every load. */
  private readonly reported = new Set<string>();

  constructor(
    readonly projectDir: string,
    /** Where generated plugin folders go (our data folder, never PROJECT_DIR). */
    private readonly generatedDir: string,
    private readonly log: Logger,
  ) {}

  private once(key: string, fn: () => void): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    fn();
  }

  getMcpServers(): McpServers {
    const file = path.join(this.projectDir, 'mcp.json');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return {};
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.once(`mcp-json:${text}`, () =>
        this.log.error({ file, reason: (e as Error).message }, 'mcp.json is not valid JSON: no MCP servers loaded'),
      );
      return {};
    }
    const parsed = McpJson.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      const reason = `${i?.path.join('.') || '(root)'}: ${i?.message}`;
      this.once(`mcp-shape:${text}`, () => this.log.error({ file, reason }, 'mcp.json has the wrong shape: no MCP servers loaded'));
      return {};
    }
    return parsed.data.mcpServers;
  }

  getSkills(): SkillDef[] {
    const root = path.join(this.projectDir, 'skills');
    const out: SkillDef[] = [];
    for (const name of safeReaddir(root)) {
      const dir = path.join(root, name);
      const file = path.join(dir, 'SKILL.md');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // a folder without SKILL.md is not a skill
      }
      let fm: Record<string, unknown> | undefined;
      let why = 'no front matter (--- name/description ---)';
      try {
        fm = frontMatter(text);
      } catch (e) {
        why = `front matter is not valid YAML: ${(e as Error).message.split('\n')[0]}`;
      }
      const desc = fm?.description;
      if (!fm || typeof desc !== 'string' || !desc.trim() || (fm.name !== undefined && typeof fm.name !== 'string')) {
        if (fm) why = 'front matter needs a description (and name, if given, as text)';
        this.once(`skill:${file}:${text}`, () => this.log.warn({ file, reason: why }, 'skipping skill with malformed SKILL.md'));
        continue;
      }
      out.push({ name, description: desc.trim(), path: `./skills/${name}/SKILL.md`, dir });
    }
    return out;
  }

  getCommands(): CommandDef[] {
    const root = path.join(this.projectDir, 'commands');
    const out: CommandDef[] = [];
    for (const entry of safeReaddir(root)) {
      if (!entry.endsWith('.md')) continue;
      const name = entry.slice(0, -3);
      if (!/^[\w-]+$/.test(name)) continue;
      const file = path.join(root, entry);
      let description: string | undefined;
      try {
        const fm = frontMatter(fs.readFileSync(file, 'utf8'));
        if (typeof fm?.description === 'string') description = fm.description;
      } catch {
        /* a command without (valid) front matter is still a command */
      }
      out.push({ name, description, path: `./commands/${entry}`, file });
    }
    return out;
  }

  /** Re-scans every source (FR-011c hot detection). */
  load(): ExtensionConfig {
    const mcpServers = this.getMcpServers();
    const skills = this.getSkills();
    const commands = this.getCommands();
    const h = createHash('sha256');
    h.update(JSON.stringify(mcpServers));
    for (const s of skills) h.update(`s:${s.name}:${fileStamp(path.join(s.dir, 'SKILL.md'))}`);
    for (const c of commands) h.update(`c:${c.name}:${fileStamp(c.file)}`);
    return { mcpServers, skills, commands, fingerprint: h.digest('hex').slice(0, 16) };
  }

  /** SDK options for the current extensions (ClaudeAgentOptions-compatible config). */
  loadOptions(): ExtensionOptions {
    const ext = this.load();
    const options: Partial<Options> = { settingSources: [] };
    if (Object.keys(ext.mcpServers).length > 0) options.mcpServers = ext.mcpServers as Record<string, McpServerConfig>;
    if (ext.skills.length > 0 || ext.commands.length > 0) {
      options.plugins = [{ type: 'local', path: this.pluginDir(ext), skipMcpDiscovery: true }];
      if (ext.skills.length > 0) options.skills = 'all';
    }
    return { options, fingerprint: ext.fingerprint };
  }

  /**
   * A plugin folder for this set of extensions, named by its fingerprint so a
   * running CLI never sees its plugin change under it. Entries are symlinks to
   * the project's files; only valid skills are linked.
   */
  private pluginDir(ext: ExtensionConfig): string {
    const dir = path.join(this.generatedDir, ext.fingerprint);
    if (fs.existsSync(path.join(dir, '.claude-plugin', 'plugin.json'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(path.join(tmp, '.claude-plugin'), { recursive: true });
    fs.writeFileSync(
      path.join(tmp, '.claude-plugin', 'plugin.json'),
      JSON.stringify({ name: PLUGIN_NAME, version: '0.0.0', description: `Skills and commands of ${this.projectDir}` }),
    );
    if (ext.skills.length) fs.mkdirSync(path.join(tmp, 'skills'));
    for (const s of ext.skills) fs.symlinkSync(s.dir, path.join(tmp, 'skills', s.name));
    // The CLI follows a symlinked folder but not a symlinked file: link the commands folder whole.
    if (ext.commands.length) fs.symlinkSync(path.join(this.projectDir, 'commands'), path.join(tmp, 'commands'));
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another load won the race: same content
    }
    return dir;
  }

  /** `/deploy prod` -> `/project:deploy prod` when `deploy` is a project command; anything else unchanged. */
  rewriteCommand(text: string): string {
    const m = text.match(/^\/([\w-]+)(?=\s|$)/);
    if (!m) return text;
    const name = m[1] as string;
    if (!this.getCommands().some((c) => c.name === name)) return text;
    return `/${PLUGIN_NAME}:${name}${text.slice(m[0].length)}`;
  }

  /** GET /api/v1/extensions, secret values masked. */
  describe(): ExtensionsResponse {
    const ext = this.load();
    const mcp_servers: ExtensionsResponse['mcp_servers'] = {};
    for (const [name, s] of Object.entries(ext.mcpServers)) {
      if ('command' in s) {
        mcp_servers[name] = {
          ...(s.type ? { type: s.type } : {}),
          command: s.command,
          args: s.args ?? [],
          ...(s.env ? { env: maskValues(s.env) } : {}),
        };
      } else {
        mcp_servers[name] = { type: s.type, url: maskUrl(s.url), ...(s.headers ? { headers: maskValues(s.headers) } : {}) };
      }
    }
    return {
      mcp_servers,
      skills: ext.skills.map((s) => ({ name: s.name, path: s.path, description: s.description })),
      commands: ext.commands.map((c) => ({ name: c.name, path: c.path, ...(c.description ? { description: c.description } : {}) })),
    };
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return []; // missing folders are optional
  }
}

function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

/** Environment and header values may be credentials: none is shown. */
function maskValues(rec: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(rec).map((k) => [k, MASK]));
}

function maskUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password) url.password = MASK;
    for (const k of [...url.searchParams.keys()]) url.searchParams.set(k, MASK);
    return url.toString();
  } catch {
    return MASK;
  }
}
