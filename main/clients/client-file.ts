// Reading and writing one client config file safely: the format's own editor (JSONC or TOML) changes only the keys
// asked for; the original bytes are backed up beside the file; the write is atomic and keeps the file's mode and
// symlink; a read-only file or a missing folder is refused before anything is written. Just before the write the
// file is read again: a client (Cline, Claude Code, an editor) that changed it meanwhile gets its change kept,
// since the edit is made again on the new text.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { describeFsError, errorCode } from '../paths/fs-error.ts';
import type { ClientLocation } from './client-registry.ts';
import { jsonServers, parseJsonDocument, setJsonArrayItem, setJsonValue } from './json-document.ts';
import { parseTomlDocument, setTomlTable, tomlServers } from './toml-document.ts';

/** Beside the file, with a suffix no client loads (never .json or .toml). */
export const BACKUP_SUFFIX = '.switchboard-bak';

/** A change to the servers of one file: entries set (an object) or removed (null), and companion array items. */
export interface ServersEdit {
  readonly entries: Readonly<Record<string, Record<string, unknown> | null>>;
  /** VS Code's `inputs` items by id, set or removed with the entry that uses them. */
  readonly inputs?: Readonly<Record<string, Record<string, unknown> | null>>;
}

/** The text of the file, or null when there is none. */
export async function readClientFile(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new Error(`cannot read ${file}: ${describeFsError(error)}`, { cause: error });
  }
}

/** The servers the file holds, by name, as written; throws a ConfigFileError when it does not parse. */
export function serversIn(location: ClientLocation, text: string | null): Record<string, unknown> {
  if (text === null) return {};
  return location.format === 'toml'
    ? tomlServers(text, location.file, location.serversKey)
    : jsonServers(text, location.file, location.serversKey);
}

/** Checks that the whole file parses; a ConfigFileError with line and column when it does not. */
export function checkParses(location: ClientLocation, text: string | null): void {
  if (text === null) return;
  if (location.format === 'toml') parseTomlDocument(text, location.file);
  else parseJsonDocument(text, location.file);
}

/** `text` with the edit made; only the named entries (and inputs) change. */
export function applyServersEdit(location: ClientLocation, text: string | null, edit: ServersEdit): string {
  let next = text ?? '';
  for (const [name, entry] of Object.entries(edit.entries)) {
    if (location.format === 'toml') {
      next = setTomlTable(next, location.file, [...location.serversKey, name], entry);
    } else {
      const present = name in jsonServers(next, location.file, location.serversKey);
      if (entry === null && !present) continue;
      next = setJsonValue(next, location.file, [...location.serversKey, name], entry ?? undefined);
    }
  }
  for (const [id, item] of Object.entries(edit.inputs ?? {})) {
    next = setJsonArrayItem(next, location.file, 'inputs', id, item);
  }
  return next;
}

export function sha256(text: string | null): string | null {
  return text === null ? null : createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface WriteOptions {
  /** Create the file's folder when missing (project scope, or --force); else a missing folder is an error. */
  readonly createFolder: boolean;
  /** Copy the current bytes to the backup before writing. */
  readonly backup: boolean;
}

export interface WriteOutcome {
  /** The text before the write (null: there was no file) and after. */
  readonly before: string | null;
  readonly after: string;
  readonly changed: boolean;
  readonly backup: string | null;
}

/**
 * Applies `edit` to the file at `file` and writes the result atomically. A file that does not parse, is read-only,
 * or whose folder is missing is left untouched and the error says so.
 */
export async function editClientFile(
  location: ClientLocation,
  edit: (text: string | null) => string,
  options: WriteOptions,
): Promise<WriteOutcome> {
  const target = await writeTarget(location.file);
  await checkFolder(dirname(target), options.createFolder);
  for (let attempt = 0; ; attempt++) {
    const before = await readClientFile(target);
    checkParses(location, before);
    const after = edit(before);
    if (after === before) return { before, after, changed: false, backup: null };
    // What we write must read back as the client's format; an edit that would break the file is never written.
    checkParses(location, after);
    const mode = await writableMode(target);
    // Another program may have written the file while we edited it: then the edit is made again on its text.
    if ((await readClientFile(target)) !== before && attempt < 3) continue;
    let backup: string | null = null;
    if (options.backup && before !== null) {
      backup = `${target}${BACKUP_SUFFIX}`;
      await writeOrExplain(backup, before, mode ?? 0o600);
    }
    await writeOrExplain(target, after, mode ?? 0o600);
    return { before, after, changed: true, backup };
  }
}

/** Writes `text` as the whole file (a restore from backup), with the same checks as an edit. */
export async function replaceClientFile(file: string, text: string): Promise<void> {
  const target = await writeTarget(file);
  const mode = await writableMode(target);
  await writeOrExplain(target, text, mode ?? 0o600);
}

/** A symlinked config file is written through to its target, so the link (dotfiles repositories) survives. */
async function writeTarget(file: string): Promise<string> {
  try {
    if ((await lstat(file)).isSymbolicLink()) return await realpath(file);
  } catch {
    // Absent, or a dangling link: written where it is named.
  }
  return file;
}

async function checkFolder(folder: string, create: boolean): Promise<void> {
  try {
    if ((await stat(folder)).isDirectory()) return;
    throw new Error(`${folder} is not a folder; nothing was written`);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  if (!create) {
    throw new Error(`the folder ${folder} does not exist (is the client installed?); nothing was written`);
  }
  await mkdir(folder, { recursive: true });
}

/** The file's permission bits, or null when absent; a file nobody may write is refused rather than replaced. */
async function writableMode(file: string): Promise<number | null> {
  try {
    const mode = (await stat(file)).mode & 0o7777;
    // Renaming over a read-only file would succeed (the folder is writable): its owner made it read-only on purpose.
    if ((mode & 0o222) === 0) {
      throw new Error(
        `${file} is read-only; make it writable (chmod u+w) to let Switchboard edit it. It was left unchanged`,
      );
    }
    return mode;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function writeOrExplain(file: string, text: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(file, text, mode);
  } catch (error) {
    throw new Error(`cannot write ${file}: ${describeFsError(error)}; it was left unchanged`, { cause: error });
  }
}
