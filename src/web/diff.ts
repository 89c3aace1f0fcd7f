// The unified diff a file-editing tool call (Edit, MultiEdit, Write) makes, computed
// with jsdiff from the tool's own input: what the agent asked to change, before it ran.
import { parsePatch, structuredPatch } from 'diff';

export interface DiffLine {
  kind: 'add' | 'del' | 'ctx' | 'hunk';
  text: string;
  /** Line number in the new file; only where it is known (a Write: the whole file). */
  newNo?: number;
}

export interface FileDiff {
  file: string;
  lines: DiffLine[];
  added: number;
  removed: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Lines of one replacement, as hunks (3 lines of context inside the snippet). */
function replacement(oldText: string, newText: string): DiffLine[] {
  const patch = structuredPatch('a', 'b', oldText, newText, '', '', { context: 3 });
  const out: DiffLine[] = [];
  for (const h of patch.hunks) {
    if (patch.hunks.length > 1) out.push({ kind: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const l of h.lines) {
      if (l.startsWith('\\')) continue; // "\ No newline at end of file"
      out.push({ kind: l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : 'ctx', text: l.slice(1) });
    }
  }
  return out;
}

function withoutFinalNewline(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The diff of a tool call, or null when the tool does not edit files or its input is not what we expect. */
export function toolDiff(tool: string, input: Record<string, unknown>): FileDiff | null {
  const file = str(input.file_path);
  if (file === null) return null;
  let lines: DiffLine[];
  if (tool === 'Write') {
    const content = str(input.content);
    if (content === null) return null;
    // Whether the file existed is not in the input: a Write is shown as the new content, all added.
    lines = withoutFinalNewline(content).map((text, i) => ({ kind: 'add', text, newNo: i + 1 }));
  } else if (tool === 'Edit') {
    const o = str(input.old_string);
    const n = str(input.new_string);
    if (o === null || n === null) return null;
    lines = replacement(o, n);
  } else if (tool === 'MultiEdit') {
    if (!Array.isArray(input.edits)) return null;
    lines = [];
    input.edits.forEach((e: unknown, i) => {
      const edit = (e ?? {}) as Record<string, unknown>;
      const o = str(edit.old_string);
      const n = str(edit.new_string);
      if (o === null || n === null) return;
      lines.push({ kind: 'hunk', text: `Edit ${i + 1} of ${(input.edits as unknown[]).length}` });
      lines.push(...replacement(o, n).filter((l) => l.kind !== 'hunk'));
    });
  } else return null;
  return {
    file,
    lines,
    added: lines.filter((l) => l.kind === 'add').length,
    removed: lines.filter((l) => l.kind === 'del').length,
  };
}

/** A unified diff as the server sends it (git's or the workspace's), for the same view the tool cards use. */
export function parseUnifiedDiff(file: string, text: string): FileDiff {
  const lines: DiffLine[] = [];
  for (const patch of parsePatch(text)) {
    for (const h of patch.hunks) {
      lines.push({ kind: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
      let newNo = h.newStart;
      for (const l of h.lines) {
        if (l.startsWith('\\')) continue;
        const kind = l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : 'ctx';
        lines.push({ kind, text: l.slice(1), ...(kind === 'del' ? {} : { newNo: newNo++ }) });
      }
    }
  }
  return { file, lines, added: lines.filter((l) => l.kind === 'add').length, removed: lines.filter((l) => l.kind === 'del').length };
}
