// Editing a client's JSON or JSONC settings file in place: jsonc-parser computes the edit of one key and applies
// it to the text, so comments, trailing commas, key order, indentation, line endings and a byte-order mark outside
// our entry stay exactly as the person (or the client) wrote them. Users put comments even in files named .json.
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { FormattingOptions, Node, ParseError } from 'jsonc-parser';
import { ConfigFileError, lineAndColumn } from './config-file-error.ts';

const BOM = '\uFEFF';

/** What the file holds, parsed: the whole document as a value. */
export function parseJsonDocument(text: string, file: string): Record<string, unknown> {
  const root = rootOf(text, file);
  if (root === undefined) return {};
  return getNodeValue(root) as Record<string, unknown>;
}

/** The object at `key` (e.g. ['mcpServers']), or {} when it is absent; an error naming the key when it is not an object. */
export function jsonServers(text: string, file: string, key: readonly string[]): Record<string, unknown> {
  const root = rootOf(text, file);
  if (root === undefined) return {};
  const node = findNodeAtLocation(root, [...key]);
  if (node === undefined) return {};
  if (node.type !== 'object') {
    const at = lineAndColumn(text.replace(/^\uFEFF/, ''), node.offset);
    throw new ConfigFileError(file, `"${key.join('.')}" is not an object`, at);
  }
  return getNodeValue(node) as Record<string, unknown>;
}

/**
 * `text` with the value at `path` set (created with its parents when absent) or removed (`undefined`). The text we
 * insert is laid out in the file's own indentation and line ending; nothing outside it is reformatted (the
 * library's own formatter would also re-indent the neighbouring entry on the same lines).
 */
export function setJsonValue(text: string, file: string, path: readonly (string | number)[], value: unknown): string {
  const root = rootOf(text, file);
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  if (value === undefined) {
    if (root === undefined) return text;
    return bom + removeValue(body, root, path);
  }
  const layout = detectFormatting(body);
  const eol = layout.eol ?? '\n';
  const unit = layout.insertSpaces === false ? '\t' : ' '.repeat(layout.tabSize ?? 2);
  const render = (v: unknown, indent: string): string =>
    JSON.stringify(v, null, unit)
      .split('\n')
      .join(eol + indent);
  if (root === undefined) {
    return bom + body.replace(/\s*$/, '') + render(nested(path, value), '') + eol;
  }
  // The deepest part of the path that exists: the value is set there, or the rest is created inside it.
  let depth = path.length;
  let node = findNodeAtLocation(root, [...path]);
  while (node === undefined) {
    depth -= 1;
    node = findNodeAtLocation(root, path.slice(0, depth));
  }
  if (depth === path.length) {
    const indent = lineIndent(body, node.offset);
    return bom + splice(body, node.offset, node.length, render(value, indent));
  }
  const rest = nested(path.slice(depth + 1), value);
  const key = path[depth]!;
  const children = node.children ?? [];
  if (node.type !== 'object' && node.type !== 'array') {
    throw new ConfigFileError(
      file,
      `"${path.slice(0, depth).join('.')}" is not an object`,
      lineAndColumn(body, node.offset),
    );
  }
  const last = children[children.length - 1];
  const outer = lineIndent(body, node.offset);
  const inner = last !== undefined && startsLine(body, last.offset) ? lineIndent(body, last.offset) : outer + unit;
  const item = node.type === 'object' ? `${JSON.stringify(String(key))}: ${render(rest, inner)}` : render(rest, inner);
  if (last === undefined) {
    return bom + splice(body, node.offset + 1, 0, `${eol}${inner}${item}${eol}${outer}`);
  }
  return bom + splice(body, last.offset + last.length, 0, `,${eol}${inner}${item}`);
}

/** `body` without the property or item at `path`, with the lines it stood on. */
function removeValue(body: string, root: Node, path: readonly (string | number)[]): string {
  const value = findNodeAtLocation(root, [...path]);
  if (value === undefined) return body;
  // In an object the member is the property (key and value); in an array, the item itself.
  const member = value.parent?.type === 'property' ? value.parent : value;
  const parent = member.parent!;
  const siblings = parent.children ?? [];
  const at = siblings.indexOf(member);
  const end = member.offset + member.length;
  const previous = siblings[at - 1];
  const next = siblings[at + 1];
  // After another member: from the end of that one (its comma goes), so a trailing comma after ours stays.
  if (previous !== undefined)
    return splice(body, previous.offset + previous.length, end - (previous.offset + previous.length), '');
  if (next !== undefined) {
    if (startsLine(body, member.offset) && startsLine(body, next.offset)) {
      const from = body.lastIndexOf('\n', member.offset - 1) + 1;
      const to = body.lastIndexOf('\n', next.offset - 1) + 1;
      return splice(body, from, to - from, '');
    }
    return splice(body, member.offset, next.offset - member.offset, '');
  }
  // The only member: the braces are emptied when nothing else (a comment) is inside; a trailing comma goes too.
  const blank = (from: number, to: number): boolean => /^\s*,?\s*$/.test(body.slice(from, to));
  if (blank(parent.offset + 1, member.offset) && blank(end, parent.offset + parent.length - 1)) {
    return splice(body, parent.offset + 1, parent.length - 2, '');
  }
  const comma = /^\s*,/.exec(body.slice(end))?.[0].length ?? 0;
  return splice(body, member.offset, end + comma - member.offset, '');
}

/** `value` wrapped in objects for each key of `path`: ['a', 'b'], 1 → { a: { b: 1 } }. */
function nested(path: readonly (string | number)[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => (typeof key === 'number' ? [inner] : { [key]: inner }), value);
}

function splice(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}

/** The whitespace that starts the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(start, offset).trim() === '';
}

/** Adds or replaces the array item whose `id` is `id` under `arrayKey` (VS Code's `inputs`); null removes it. */
export function setJsonArrayItem(
  text: string,
  file: string,
  arrayKey: string,
  id: string,
  item: Record<string, unknown> | null,
): string {
  const root = rootOf(text, file);
  const array = root === undefined ? undefined : findNodeAtLocation(root, [arrayKey]);
  const items: unknown[] = array?.type === 'array' ? (getNodeValue(array) as unknown[]) : [];
  const at = items.findIndex((entry) => (entry as { id?: unknown } | null)?.id === id);
  if (item === null) {
    if (at === -1) return text;
    // The whole array goes when ours was its only item and it is empty after: it was most likely ours too.
    return setJsonValue(text, file, items.length === 1 ? [arrayKey] : [arrayKey, at], undefined);
  }
  if (array !== undefined && array.type !== 'array') {
    throw new ConfigFileError(file, `"${arrayKey}" is not an array`, lineAndColumn(text, array.offset));
  }
  if (array === undefined) return setJsonValue(text, file, [arrayKey], [item]);
  return setJsonValue(text, file, [arrayKey, at === -1 ? items.length : at], item);
}

/** The parsed tree of `text`, undefined for an empty file; a ConfigFileError naming line and column otherwise. */
function rootOf(text: string, file: string): Node | undefined {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  if (body.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) {
    throw new ConfigFileError(file, describeParseError(first), lineAndColumn(body, first.offset));
  }
  if (root === undefined || root.type !== 'object') {
    throw new ConfigFileError(file, 'the file does not hold a JSON object', lineAndColumn(body, root?.offset ?? 0));
  }
  return root;
}

function describeParseError(error: ParseError): string {
  const words = printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `not valid JSON: ${words}`;
}

/** The file's own indentation and line ending, so what we insert looks like the rest of it. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)["/}\]]/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { tabSize: 1, insertSpaces: false, eol };
  return { tabSize: indent === undefined ? 2 : indent.length, insertSpaces: true, eol };
}
