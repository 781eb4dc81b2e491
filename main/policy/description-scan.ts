// Reads what a server says about a tool (its name, title, description, and every title and description inside
// its schemas) for the signs of tool poisoning (security test T29): text addressed to the model rather than the
// user, paths to credentials, names of other servers' tools, characters a person cannot see, and text too long
// to review. Pure: a definition and the names of other servers' tools in, one flag per rule and field out. The
// gateway logs and shows the flags, and under `policy.flaggedTools: "block"` hides and refuses the tool.
import { formatPath } from '../config/config-problems.ts';
import type { ToolDefinition } from './tool-definition-hash.ts';

export const SCAN_RULES = [
  'injection-marker',
  'credential-path',
  'other-server-tool',
  'invisible-unicode',
  'extreme-length',
] as const;

export type ScanRule = (typeof SCAN_RULES)[number];

export interface DescriptionFlag {
  readonly rule: ScanRule;
  /** Where the text is: `description`, `title`, `annotations.title`, `inputSchema.properties.path.description`. */
  readonly field: string;
  /** What matched, with invisible characters written as `<U+200B>`; long text cut around the match. */
  readonly match: string;
}

export interface ScanContext {
  /** Other servers' tools, by the names a model would use: the server's own and the exposed `<server>__<tool>`. */
  readonly otherTools: readonly string[];
}

/** Longer than any description a person would read before approving it. */
export const MAX_TEXT_LENGTH = 8_192;

const INJECTION_MARKERS: readonly RegExp[] = [
  /<\/?\s*(important|system|instructions?|secret|hidden)\s*>/i,
  /\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|preceding)\s+(instructions|prompts?|messages|rules)/i,
  /\b(do\s+not|don'?t|never)\s+(tell|inform|mention\s+(this\s+)?to|alert|notify)\s+the\s+user\b/i,
  /\b(without|before)\s+(telling|informing|asking)\s+the\s+user\b/i,
  /\bthis\s+is\s+(very\s+)?important\s*[:!]/i,
  /\byou\s+must\s+(first\s+)?(read|call|send|pass|include)\b/i,
];

const CREDENTIAL_PATHS: readonly RegExp[] = [
  /~\/\.ssh\b|\.ssh\/|\bid_(rsa|ed25519|ecdsa|dsa)\b/i,
  /(^|[\s/'"`~(])\.aws\b/i,
  /(^|[\s/'"`~(])\.env(\.[a-z]+)?\b/i,
  /\bmcp\.json\b|\bclaude_desktop_config\.json\b/i,
  /(^|[\s/'"`~(])\.(netrc|npmrc|pgpass|git-credentials|docker\/config\.json|kube\/config)\b/i,
];

/** U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+E0000–U+E007F (the tag characters), and U+FEFF. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]|[\u{E0000}-\u{E007F}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/** Text with every invisible character written out as `<U+XXXX>`, so a person sees what a model would read. */
export function showHidden(text: string): string {
  return text.replace(INVISIBLE_ALL, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** Up to 60 characters either side of the match, hidden characters shown. */
function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 60);
  const end = Math.min(text.length, index + length + 60);
  return `${start > 0 ? '…' : ''}${showHidden(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A JSON path as a chain from the leaf up, spelled out only when something is found there. */
export interface PathLink {
  readonly key: string | number;
  readonly parent: PathLink | null;
}

export function pathOf(link: PathLink): string {
  const keys: (string | number)[] = [];
  for (let at: PathLink | null = link; at !== null; at = at.parent) keys.push(at.key);
  return formatPath(keys.reverse());
}

/** Every text a model reads about the tool, by where it is. */
function textsOf(definition: ToolDefinition): { field: string; text: string }[] {
  const texts: { field: string; text: string }[] = [];
  const add = (field: string, value: unknown): void => {
    if (typeof value === 'string') texts.push({ field, text: value });
  };
  add('name', definition.name);
  add('title', definition.title);
  add('description', definition.description);
  add('annotations.title', (definition.annotations as { title?: unknown } | undefined)?.title);
  for (const schema of ['inputSchema', 'outputSchema'] as const) {
    // An explicit stack, each entry linked to its parent: a hostile schema may nest deeper than recursion would
    // survive, and copying the path at every level would cost the square of the depth.
    const stack: { at: PathLink; value: unknown }[] = [
      { at: { key: schema, parent: null }, value: definition[schema] },
    ];
    while (stack.length > 0) {
      const { at, value } = stack.pop()!;
      if (value === null || typeof value !== 'object') continue;
      for (const [key, child] of Object.entries(value)) {
        const link = { key, parent: at };
        if ((key === 'description' || key === 'title') && typeof child === 'string') {
          texts.push({ field: pathOf(link), text: child });
        } else stack.push({ at: link, value: child });
      }
    }
  }
  return texts;
}

/** One flag per rule and field that matched, in the order rules are listed and fields are read. */
export function scanToolDefinition(definition: ToolDefinition, context: ScanContext): DescriptionFlag[] {
  const flags: DescriptionFlag[] = [];
  const names = context.otherTools.filter((name) => name.length >= 3 && name !== definition.name);
  // One alternation, longest first, so a catalog of hundreds of tools costs one pass per text.
  const others =
    names.length === 0
      ? []
      : [
          new RegExp(
            `(?<![\\w-])(${[...new Set(names)]
              .sort((a, b) => b.length - a.length)
              .map(escapeRegExp)
              .join('|')})(?![\\w-])`,
          ),
        ];
  for (const { field, text } of textsOf(definition)) {
    const first = (patterns: readonly RegExp[]): RegExpExecArray | null => {
      for (const pattern of patterns) {
        const found = pattern.exec(text);
        if (found !== null) return found;
      }
      return null;
    };
    const found = (rule: ScanRule, match: RegExpExecArray | null): void => {
      if (match !== null) flags.push({ rule, field, match: excerpt(text, match.index, match[0].length) });
    };
    // The name is an identifier: only what a person cannot see in it matters.
    if (field !== 'name') {
      found('injection-marker', first(INJECTION_MARKERS));
      found('credential-path', first(CREDENTIAL_PATHS));
      found('other-server-tool', first(others));
    }
    found('invisible-unicode', INVISIBLE.exec(text));
    if (text.length > MAX_TEXT_LENGTH) {
      flags.push({
        rule: 'extreme-length',
        field,
        match: `${text.length} characters (more than ${MAX_TEXT_LENGTH}): ${excerpt(text, 0, 0)}`,
      });
    }
  }
  const order = (flag: DescriptionFlag): number => SCAN_RULES.indexOf(flag.rule);
  return flags.sort((a, b) => order(a) - order(b));
}

/** One line per flag, for logs and the CLI. */
export function describeFlag(flag: DescriptionFlag): string {
  return `${flag.rule} in ${flag.field}: ${flag.match}`;
}
