// What changed between the definition a user approved and the one a server lists now, field by field, with JSON
// paths inside schemas and annotations, so that approving a changed tool means reading what changed (T28).
import { canonicalJson, DEFINITION_FIELDS, type ToolDefinition } from '../policy/tool-definition-hash.ts';
import { pathOf, showHidden, type PathLink } from '../policy/description-scan.ts';

export interface DefinitionChange {
  /** `description`, or a JSON path such as `inputSchema.properties.path.description`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** The approved value (absent when added), as JSON with hidden characters shown. */
  readonly before?: string;
  readonly after?: string;
}

/** At most this many changes are listed; a schema rewritten whole says so in its last entry. */
const MAX_CHANGES = 200;

function show(value: unknown): string {
  return showHidden(typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function diffDefinitions(before: ToolDefinition, after: ToolDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  // An explicit stack, as for any structure a server sends.
  const stack: { at: PathLink; a: unknown; b: unknown }[] = DEFINITION_FIELDS.map((field) => ({
    at: { key: field, parent: null },
    a: before[field],
    b: after[field],
  })).reverse();
  while (stack.length > 0 && changes.length < MAX_CHANGES) {
    const { at, a, b } = stack.pop()!;
    if (a === undefined && b === undefined) continue;
    if (a === undefined) changes.push({ path: pathOf(at), change: 'added', after: show(b) });
    else if (b === undefined) changes.push({ path: pathOf(at), change: 'removed', before: show(a) });
    else if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().reverse();
      for (const key of keys) stack.push({ at: { key, parent: at }, a: a[key], b: b[key] });
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      for (let i = a.length - 1; i >= 0; i -= 1) stack.push({ at: { key: i, parent: at }, a: a[i], b: b[i] });
    } else if (canonicalJson(a) !== canonicalJson(b)) {
      changes.push({ path: pathOf(at), change: 'changed', before: show(a), after: show(b) });
    }
  }
  return changes;
}

/** The diff as lines a terminal shows: `~ path: before → after`, `+ path: value`, `- path: value`. */
export function formatDiff(changes: readonly DefinitionChange[]): string[] {
  return changes.map((c) => {
    if (c.change === 'added') return `+ ${c.path}: ${c.after}`;
    if (c.change === 'removed') return `- ${c.path}: ${c.before}`;
    return `~ ${c.path}: ${c.before} → ${c.after}`;
  });
}
