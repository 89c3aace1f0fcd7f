// The workspace beside the chat: the session's working folder, its files, and what changed
// (git and the session's own file checkpoints). Browser-safe: zod only.
import { z } from 'zod';

/** A path relative to the session's working folder; empty (or absent) is the folder itself. */
export const WorkspacePath = z
  .string()
  .max(4096)
  .describe(
    'Relative to the session’s working folder (`a/b.ts`); empty for the folder itself. `..`, absolute paths and links out are refused',
  );

export const FilesQuery = z.object({
  path: WorkspacePath.optional(),
  offset: z.coerce.number().int().min(0).optional().describe('Entries to skip (the next page starts at offset + entries.length)'),
  limit: z.coerce.number().int().min(1).max(10_000).optional().describe('Entries in the page (default 1,000)'),
});
export const FileContentQuery = z.object({
  path: WorkspacePath,
  download: z.enum(['0', '1', 'true', 'false']).optional().describe('1: sent as an attachment (Content-Disposition) to save'),
});
export const ArchiveQuery = z.object({ path: WorkspacePath.optional() });
export const DiffQuery = z.object({ path: WorkspacePath });

export const WorkspaceEntry = z.object({
  name: z.string(),
  type: z.enum(['file', 'dir', 'symlink']),
  size: z.number().int().nonnegative().describe('Bytes (a folder’s or a link’s own size)'),
  modified_at: z.string().describe('ISO 8601'),
});
export type WorkspaceEntry = z.infer<typeof WorkspaceEntry>;

export const FileListResponse = z.object({
  path: z.string().describe('The folder listed, relative ("" for the working folder)'),
  entries: z.array(WorkspaceEntry).describe('Folders first, then files, by name; `.git` left out'),
  total: z.number().int().nonnegative().describe('Entries in the folder'),
  offset: z.number().int().nonnegative(),
  has_more: z.boolean().describe('More entries after this page'),
});
export type FileListResponse = z.infer<typeof FileListResponse>;

export const CHANGE_STATUSES = ['added', 'modified', 'deleted', 'renamed', 'untracked', 'conflicted'] as const;
export const ChangedFile = z.object({
  path: z.string().describe('Relative to the working folder'),
  status: z.enum(CHANGE_STATUSES),
  additions: z.number().int().nonnegative().nullable().describe('Lines added; null for binary or very large files'),
  deletions: z.number().int().nonnegative().nullable(),
  by_session: z.boolean().describe('This session’s agent changed it (its file checkpoints name it)'),
});
export type ChangedFile = z.infer<typeof ChangedFile>;

export const ChangesResponse = z.object({
  is_repository: z.boolean().describe('The working folder is in a git repository'),
  branch: z.string().nullable().describe('The checked-out branch; null when detached or not a repository'),
  head: z.string().nullable().describe('The commit checked out (full id); null before the first commit or without git'),
  files: z.array(ChangedFile),
  truncated: z.boolean().describe('More files changed than listed'),
});
export type ChangesResponse = z.infer<typeof ChangesResponse>;

export const DiffResponse = z.object({
  path: z.string(),
  diff: z.string().describe('A unified diff (empty when the file is unchanged)'),
  binary: z.boolean(),
});
export type DiffResponse = z.infer<typeof DiffResponse>;

/** Largest file shown inline; downloads may be larger (WORKSPACE_MAX_DOWNLOAD_BYTES). */
export const WORKSPACE_MAX_VIEW_BYTES = 5 * 1024 * 1024;
export const WORKSPACE_MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024;
