// Masking secrets wherever text leaves the core: logs, audit records, error messages, answers to clients, CLI and
// UI output. Two nets: the exact values Switchboard knows (every secret it resolved, every token it issued), also
// in their JSON-escaped and base64 spellings, and the shapes of common credentials it was never told about.

/** Known values shorter than this are not masked: masking "abc" everywhere would garble every log line. */
export const MIN_KNOWN_LENGTH = 6;

/** Shapes of credentials that are masked even when no one registered them. */
const PATTERNS: readonly { readonly label: string; readonly pattern: RegExp }[] = [
  { label: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/ },
  { label: 'bearer token', pattern: /(?<=\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/i },
  { label: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/ },
  { label: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { label: 'API key', pattern: /\bsk-(?:[A-Za-z0-9_-]{16,})/ },
  { label: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { label: 'AWS key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { label: 'Switchboard token', pattern: /\bsbt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\b/ },
];

/** Literals at least one of which every shape in PATTERNS contains. */
const SHAPE_HINTS = /-----BEGIN|bearer|eyJ|gh[pousr]_|github_pat_|sk-|xox|AKIA|ASIA|sbt_/i;

/** Header names whose values are always masked, whatever they hold. */
export const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The spellings a value can take in text that left the core: raw, inside a JSON string, base64 and base64url. */
function spellings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  const base64url = Buffer.from(value, 'utf8').toString('base64url');
  // base64 padding depends on what follows the value; the unpadded stem is what can be searched for.
  return [...new Set([value, json, base64.replace(/=+$/, ''), base64url])].filter((s) => s.length >= MIN_KNOWN_LENGTH);
}

export class Redactor {
  /** Spelling → label, e.g. the base64 of a value → `secret GITHUB_TOKEN`. */
  readonly #known = new Map<string, string>();
  #knownPattern: RegExp | null = null;
  readonly #shapes: RegExp;

  constructor() {
    this.#shapes = new RegExp(PATTERNS.map((p) => `(${p.pattern.source})`).join('|'), 'gi');
  }

  /** Registers a value to mask; `label` (e.g. "secret GITHUB_TOKEN") is shown in its place. */
  add(value: string, label: string): void {
    let added = false;
    for (const spelling of spellings(value)) {
      if (!this.#known.has(spelling)) {
        this.#known.set(spelling, label);
        added = true;
      }
    }
    if (added) this.#compile();
  }

  /** How many spellings are registered; for tests and the status page. */
  get knownCount(): number {
    return this.#known.size;
  }

  /** `text` with every known value and every credential shape replaced by a `[redacted: …]` marker. */
  redact(text: string): string {
    return this.#redactShapes(this.#redactKnown(text));
  }

  #redactKnown(text: string): string {
    if (this.#knownPattern === null) return text;
    return text.replace(this.#knownPattern, (match) => `[redacted: ${this.#known.get(match) ?? 'secret'}]`);
  }

  #redactShapes(text: string): string {
    // Every shape starts with one of a few literals; a text holding none of them (most text, and every large
    // payload of plain data) is passed without running the pattern over it.
    if (!SHAPE_HINTS.test(text)) return text;
    return text.replace(this.#shapes, (...groups: unknown[]) => {
      const index = groups.slice(1, PATTERNS.length + 1).findIndex((g) => g !== undefined);
      return `[redacted: ${PATTERNS[index]?.label ?? 'credential'}]`;
    });
  }

  /** A deep copy of a JSON value with every string redacted; object keys are kept as they are. */
  redactJson<T>(value: T): T {
    return this.#walk(value) as T;
  }

  /** Header values masked by name (Authorization, Cookie, ...) and by content. */
  redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted: header]' : this.redact(value),
      ]),
    );
  }

  /**
   * `blob` and `data` hold base64 (images, audio, binary resources): only known values are masked there, since a
   * credential shape such as an AWS key can occur by chance inside base64 and masking it would corrupt the file.
   */
  #walk(value: unknown, key?: string): unknown {
    if (typeof value === 'string') {
      return key === 'blob' || key === 'data' ? this.#redactKnown(value) : this.redact(value);
    }
    // Copy on write: an object or array is rebuilt only when something inside it was masked, so the common case
    // (nothing to mask) allocates nothing.
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i += 1) {
        const item = this.#walk(value[i]);
        if (item !== value[i]) (copy ??= [...value])[i] = item;
      }
      return copy ?? value;
    }
    if (value !== null && typeof value === 'object') {
      let copy: Record<string, unknown> | null = null;
      // Own keys only, as Object.entries gives them, without the array of pairs it builds.
      for (const k in value) {
        if (!Object.hasOwn(value, k)) continue;
        const item = (value as Record<string, unknown>)[k];
        const walked = this.#walk(item, k);
        if (walked !== item) (copy ??= { ...value })[k] = walked;
      }
      return copy ?? value;
    }
    return value;
  }

  #compile(): void {
    // Longest first, so a value that contains another is masked whole.
    const sorted = [...this.#known.keys()].sort((a, b) => b.length - a.length);
    this.#knownPattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  }
}
