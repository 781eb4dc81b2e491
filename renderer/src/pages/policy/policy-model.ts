// The policy as the page shows it, read from the contract's `policy` record. The core sends config.json's policy
// with its defaults filled in; the renderer may not import the core's schema, so each field is read with a guard
// and anything unexpected is shown as "—" rather than trusted.

export interface RuleRow {
  /** The name audit records and refusals use: the rule's id, or `policy.rules[<index>]`. */
  readonly id: string;
  readonly clients: readonly string[] | null;
  readonly servers: readonly string[] | null;
  /** What it matches: tool globs, then `prompt …` and `resource …` ones; null when it names none (everything). */
  readonly targets: readonly string[] | null;
  readonly action: string;
  /** One line per constrained argument. */
  readonly arguments: readonly string[];
  readonly reason: string | null;
}

export interface ToolsetRow {
  readonly client: string;
  readonly servers: readonly string[] | null;
  readonly tools: readonly string[] | null;
  readonly readOnly: boolean;
}

export interface RateLimitRow {
  readonly id: string;
  readonly clients: readonly string[] | null;
  readonly servers: readonly string[] | null;
  readonly targets: readonly string[] | null;
  readonly each: readonly string[];
  readonly rate: string;
  readonly burst: number | null;
}

export interface PolicyModel {
  readonly defaultAction: string;
  readonly readOnly: boolean;
  readonly destructive: string;
  readonly trustedServers: readonly string[];
  readonly validateArguments: boolean;
  readonly argumentLimits: readonly (readonly [string, string])[];
  readonly confirmTimeoutMs: number | null;
  readonly rules: readonly RuleRow[];
  readonly toolsets: readonly ToolsetRow[];
  readonly rateLimits: readonly RateLimitRow[];
  readonly concurrency: readonly (readonly [string, number])[];
}

type Rec = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
const strings = (v: unknown): readonly string[] | null =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : null;
const records = (v: unknown): readonly Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** One argument's constraints in a line: `path: under ~/src; matches ^a; one of "x", "y"; public URL; optional`. */
export function constraintSummary(path: string, constraint: unknown): string {
  if (!isRecord(constraint)) return `${path}: —`;
  const parts: string[] = [];
  const prefixes = strings(constraint['pathPrefix']);
  if (prefixes !== null) parts.push(`under ${prefixes.join(' or ')}`);
  if (typeof constraint['pattern'] === 'string') parts.push(`matches /${constraint['pattern']}/`);
  if (Array.isArray(constraint['values'])) {
    parts.push(`one of ${constraint['values'].map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (constraint['publicUrl'] === true) parts.push('a public http(s) URL');
  if (isRecord(constraint['schema'])) parts.push(`schema ${JSON.stringify(constraint['schema'])}`);
  if (constraint['optional'] === true) parts.push('may be left out');
  return `${path}: ${parts.length === 0 ? '—' : parts.join('; ')}`;
}

export function policyModel(policy: Rec): PolicyModel {
  const limits = isRecord(policy['argumentLimits']) ? policy['argumentLimits'] : {};
  const toolsets = isRecord(policy['toolsets']) ? policy['toolsets'] : {};
  const concurrency = isRecord(policy['concurrency']) ? policy['concurrency'] : {};
  return {
    defaultAction: str(policy['defaultAction'], 'allow'),
    readOnly: policy['readOnly'] === true,
    destructive: str(policy['destructive'], 'allow'),
    trustedServers: strings(policy['trustedServers']) ?? [],
    validateArguments: policy['validateArguments'] !== false,
    argumentLimits: Object.entries(limits).map(([key, value]) => [key, String(value)] as const),
    confirmTimeoutMs: num(policy['confirmTimeoutMs']),
    rules: records(policy['rules']).map((rule, index) => ({
      id: str(rule['id'], `policy.rules[${index}]`),
      clients: strings(rule['clients']),
      servers: strings(rule['servers']),
      targets: targets(rule),
      action: str(rule['action'], '—'),
      arguments: isRecord(rule['arguments'])
        ? Object.entries(rule['arguments']).map(([path, c]) => constraintSummary(path, c))
        : [],
      reason: typeof rule['reason'] === 'string' ? rule['reason'] : null,
    })),
    toolsets: Object.entries(toolsets).map(([client, set]) => ({
      client,
      servers: isRecord(set) ? strings(set['servers']) : null,
      tools: isRecord(set) ? strings(set['tools']) : null,
      readOnly: isRecord(set) && set['readOnly'] === true,
    })),
    rateLimits: records(policy['rateLimits']).map((limit, index) => ({
      id: str(limit['id'], `policy.rateLimits[${index}]`),
      clients: strings(limit['clients']),
      servers: strings(limit['servers']),
      targets: targets(limit),
      each: strings(limit['each']) ?? ['client'],
      rate: `${String(num(limit['calls']) ?? '—')} per ${String(num(limit['perSeconds']) ?? '—')} s`,
      burst: num(limit['burst']),
    })),
    concurrency: Object.entries(concurrency)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([server, cap]) => [server, cap] as const),
  };
}

/** A rule's or a limit's `tools`, `prompts` and `resources` globs in one list; null when it names none. */
function targets(entry: Record<string, unknown>): readonly string[] | null {
  const tools = strings(entry['tools']);
  const prompts = strings(entry['prompts']);
  const resources = strings(entry['resources']);
  if (tools === null && prompts === null && resources === null) return null;
  return [
    ...(tools ?? []),
    ...(prompts ?? []).map((p) => `prompt ${p}`),
    ...(resources ?? []).map((r) => `resource ${r}`),
  ];
}
