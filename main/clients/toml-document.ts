// Editing Codex's config.toml: our `[mcp_servers.switchboard]` table (with any sub-tables of it) is cut out of or
// written into the text as one block of lines, so every other table, comment and blank line stays byte for byte.
// smol-toml checks the file before and after: the edit is kept only when the result parses, holds exactly our entry,
// and everything else in it reads as it did before.
import { isDeepStrictEqual } from 'node:util';
import { parse, TomlError } from 'smol-toml';
import { ConfigFileError } from './config-file-error.ts';

/** The whole document as a value; a ConfigFileError naming line and column when it does not parse. */
export function parseTomlDocument(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigFileError(file, `not valid TOML: ${reason}`, { line: error.line, column: error.column });
    }
    throw error;
  }
}

/** The table at `key` (['mcp_servers']) as a value, {} when absent. */
export function tomlServers(text: string, file: string, key: readonly string[]): Record<string, unknown> {
  let value: unknown = parseTomlDocument(text, file);
  for (const part of key) value = (value as Record<string, unknown> | undefined)?.[part];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigFileError(file, `"${key.join('.')}" is not a table`);
  }
  return value as Record<string, unknown>;
}

/** `text` with the table at `table` (e.g. ['mcp_servers', 'switchboard']) set to `entry`, or removed when null. */
export function setTomlTable(
  text: string,
  file: string,
  table: readonly string[],
  entry: Record<string, unknown> | null,
): string {
  const before = parseTomlDocument(text, file);
  const lines = text.split(/(?<=\n)/);
  const blocks = tableBlocks(lines, table);
  if (blocks.length === 0 && valueAt(before, table) !== undefined) {
    throw new ConfigFileError(
      file,
      `"${table.join('.')}" is written inline or with dotted keys; make it a [${table.join('.')}] table to let Switchboard edit it`,
    );
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = entry === null ? [] : renderTable(table, entry, eol);
  let next: string[];
  if (blocks.length === 0) {
    if (entry === null) return text;
    next = [...lines];
    if (next.length > 0 && !next[next.length - 1]!.endsWith('\n')) next[next.length - 1] += eol;
    if (next.length > 0 && next[next.length - 1]!.trim() !== '') next.push(eol);
    next.push(...block);
  } else {
    next = [];
    let at = 0;
    blocks.forEach(([start, end], i) => {
      next.push(...lines.slice(at, start));
      if (i === 0) next.push(...block);
      at = end;
    });
    next.push(...lines.slice(at));
    if (entry === null) next = dropSeparator(next, blocks[0]![0]);
  }
  const result = next.join('');
  check(before, result, file, table, entry);
  return result;
}

/** The lines [start, end) of each block that belongs to `table`: its header, its sub-tables, their key lines. */
function tableBlocks(lines: readonly string[], table: readonly string[]): [number, number][] {
  const blocks: [number, number][] = [];
  let open: number | null = null;
  let inMultiline: string | null = null;
  lines.forEach((line, i) => {
    if (inMultiline !== null) {
      if (countOf(line, inMultiline) % 2 === 1) inMultiline = null;
      return;
    }
    const header = headerPath(line);
    if (header !== null) {
      const ours = table.every((part, k) => header[k] === part);
      if (ours && open === null) open = i;
      if (!ours && open !== null) {
        blocks.push([open, endOfBlock(lines, open, i)]);
        open = null;
      }
    }
    for (const quote of ['"""', "'''"]) if (countOf(line, quote) % 2 === 1) inMultiline = quote;
  });
  if (open !== null) blocks.push([open, lines.length]);
  return blocks;
}

/** Comments and blank lines just above the next header belong to that header, not to our block. */
function endOfBlock(lines: readonly string[], start: number, next: number): number {
  let end = next;
  while (end > start + 1 && /^\s*(#.*)?$/.test(lines[end - 1]!.replace(/\r?\n$/, ''))) end -= 1;
  return end;
}

/** After a removal: the blank line that separated our block from what came before goes too, if nothing follows. */
function dropSeparator(lines: string[], at: number): string[] {
  const previous = lines[at - 1];
  const following = lines[at];
  if (previous !== undefined && previous.trim() === '' && (following === undefined || following.trim() === '')) {
    return [...lines.slice(0, at - 1), ...lines.slice(at)];
  }
  return lines;
}

function countOf(line: string, needle: string): number {
  return line.split(needle).length - 1;
}

/** The key path of a `[table]` or `[[array]]` header line, null for any other line. */
function headerPath(line: string): string[] | null {
  const match = /^\s*\[\[?(.+?)\]\]?\s*(?:#.*)?$/.exec(line.replace(/\r?\n$/, ''));
  if (match === null) return null;
  const parts: string[] = [];
  const keys = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/gy;
  const text = match[1]!;
  let found: RegExpExecArray | null;
  while (keys.lastIndex < text.length && (found = keys.exec(text)) !== null) {
    const basic = found[1];
    parts.push(basic !== undefined ? (JSON.parse(`"${basic}"`) as string) : (found[2] ?? found[3]!));
  }
  return parts;
}

function valueAt(document: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = document;
  for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function withoutTable(document: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(document);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string, unknown> | undefined;
  if (parent !== undefined) delete parent[path[path.length - 1]!];
  return copy;
}

/** Refuses an edit that broke the file, missed our entry, or changed anything else. */
function check(
  before: Record<string, unknown>,
  text: string,
  file: string,
  table: readonly string[],
  entry: Record<string, unknown> | null,
): void {
  let after: Record<string, unknown>;
  try {
    after = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigFileError(file, `the edited file would not parse (${(error as Error).message.split('\n')[0]})`);
  }
  const ours = valueAt(after, table);
  const oursOk = entry === null ? ours === undefined : isDeepStrictEqual(plain(ours), entry);
  const restOk = isDeepStrictEqual(plain(withoutTable(after, table)), plain(withoutTable(before, table)));
  if (!oursOk || !restOk) {
    throw new ConfigFileError(file, `the edit of [${table.join('.')}] could not be made without touching the rest`);
  }
}

/** smol-toml's objects have a null prototype; compare them as plain data. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function renderTable(table: readonly string[], entry: Record<string, unknown>, eol: string): string[] {
  const lines = [`[${table.map(tomlKey).join('.')}]${eol}`];
  for (const [key, value] of Object.entries(entry)) lines.push(`${tomlKey(key)} = ${tomlValue(value)}${eol}`);
  return lines;
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** Strings as TOML basic strings (JSON's escapes are valid there), arrays and inline tables of those. */
function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const pairs = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
    return pairs.length === 0 ? '{}' : `{ ${pairs.join(', ')} }`;
  }
  throw new Error(`cannot write ${typeof value} to TOML`);
}
