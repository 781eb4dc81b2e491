// `Mcp-Param-*` headers (spec 2026-07-28, streamable-http "Custom Headers"; SEP-2243): a tool argument whose
// schema property carries `"x-mcp-header": "Name"` is mirrored into `Mcp-Param-Name`, so intermediaries can route
// on it, and a server must check the header against the argument and refuse a request where they disagree
// (security test T56). One set of rules for every side Switchboard plays: the 2026-07-28 door checks the headers,
// and the bridge and the client of 2026-07-28 upstreams write them.
// Values that are not plain visible ASCII travel as `=?base64?<base64 of UTF-8>?=`; the payload must be canonical
// base64, so Node's lenient decoder is not enough (conformance http-custom-header-server-validation).

export interface ParamHeader {
  /** Property names from the schema root down to the annotated property. */
  readonly path: readonly string[];
  /** The header is `Mcp-Param-<name>`. */
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
}

/**
 * What a tool's `x-mcp-header` annotations declare: the headers, or why the tool definition is invalid. An invalid
 * one declares no header, unless its only fault is a `number` property: the SDK's server still checks those.
 */
export type ParamHeaderScan =
  | { readonly valid: true; readonly declared: readonly ParamHeader[] }
  | { readonly valid: false; readonly reason: string; readonly declared: readonly ParamHeader[] };

const PREFIX = '=?base64?';
const SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** RFC 9110 section 5.1 `token`: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A value sent as is: visible ASCII, inner spaces and tabs, no whitespace at either end (field parsing drops it). */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
/** Spaces and tabs around a field value are not part of it (RFC 9110 section 5.5). */
const OWS = /^[ \t]+|[ \t]+$/g;
const PERMITTED = new Set(['string', 'integer', 'boolean']);
/** Keywords whose subschemas are not reached through `properties` alone: an annotation under one is invalid. */
const UNREACHABLE = [
  'items',
  'prefixItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'patternProperties',
  'dependentSchemas',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  '$defs',
  'definitions',
];
const NAMED_SUBSCHEMAS = new Set(['patternProperties', 'dependentSchemas', '$defs', 'definitions']);

/** The header's value with a base64 sentinel decoded; undefined when the sentinel's payload is not valid. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith(PREFIX) && value.endsWith(SUFFIX) && value.length >= PREFIX.length + SUFFIX.length)) {
    return value;
  }
  const payload = value.slice(PREFIX.length, value.length - SUFFIX.length);
  if (!CANONICAL_BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64'));
  } catch {
    return undefined;
  }
}

/** A header value as the spec wants it: plain visible ASCII as is, anything else as `=?base64?…?=`. */
export function encodeHeaderValue(value: string): string {
  const sentinelLike = value.startsWith(PREFIX) && value.endsWith(SUFFIX);
  return PLAIN.test(value) && !sentinelLike
    ? value
    : `${PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${SUFFIX}`;
}

/**
 * Reads a tool's `x-mcp-header` annotations with the spec's constraints on them: found along chains of
 * `properties` only (any depth; one anywhere else makes the definition invalid), each a non-empty RFC 9110 token,
 * unique regardless of case, on a `string`, `integer` or `boolean` property.
 */
export function scanParamHeaders(inputSchema: unknown): ParamHeaderScan {
  const declared: ParamHeader[] = [];
  const seen = new Map<string, string>();
  let numberFault: string | undefined;
  const visit = (schema: unknown, path: readonly string[], reachable: boolean): string | undefined => {
    if (schema === null || typeof schema !== 'object') return undefined;
    const node = schema as Record<string, unknown>;
    const where = path.length === 0 ? 'the schema root' : path.join('.');
    if (Object.hasOwn(node, 'x-mcp-header')) {
      const name = node['x-mcp-header'];
      if (!reachable || path.length === 0) {
        return `x-mcp-header at ${where} is not on a property reached through "properties" alone`;
      }
      if (typeof name !== 'string' || !TOKEN.test(name)) {
        return `x-mcp-header ${JSON.stringify(name)} at ${where} is not a non-empty HTTP header name token`;
      }
      const type = typeof node.type === 'string' ? node.type : undefined;
      if (type === undefined || !PERMITTED.has(type)) {
        const fault = `x-mcp-header "${name}" is on ${where}, of type ${type ?? '(none)'}; only string, integer and boolean are permitted`;
        if (type !== 'number') return fault;
        numberFault ??= fault;
      }
      const earlier = seen.get(name.toLowerCase());
      if (earlier !== undefined) {
        return `x-mcp-header "${name}" at ${where} repeats "${earlier}" (names are compared regardless of case)`;
      }
      seen.set(name.toLowerCase(), name);
      declared.push({ path, name, type: type as ParamHeader['type'] });
    }
    const properties = node.properties;
    if (properties !== null && typeof properties === 'object') {
      for (const [key, child] of Object.entries(properties as Record<string, unknown>)) {
        const fault = visit(child, [...path, key], reachable);
        if (fault !== undefined) return fault;
      }
    }
    for (const keyword of UNREACHABLE) {
      const sub = node[keyword];
      if (sub === null || typeof sub !== 'object') continue;
      const branches = Array.isArray(sub) ? sub : NAMED_SUBSCHEMAS.has(keyword) ? Object.values(sub) : [sub];
      for (const branch of branches) {
        const fault = visit(branch, [...path, `<${keyword}>`], false);
        if (fault !== undefined) return fault;
      }
    }
    return undefined;
  };
  const fault = visit(inputSchema, [], true);
  if (fault !== undefined) return { valid: false, reason: fault, declared: [] };
  return numberFault === undefined ? { valid: true, declared } : { valid: false, reason: numberFault, declared };
}

/**
 * The headers a server checks for a tool, and so the ones a client must send: all of a valid definition's, and
 * those of one whose only fault is a `number` property (the SDK's server checks those too); none of another
 * invalid one, which declares nothing (a conforming HTTP client leaves such a tool out and never calls it).
 */
export function paramHeaders(inputSchema: unknown): readonly ParamHeader[] {
  return scanParamHeaders(inputSchema).declared;
}

/** The `Mcp-Param-*` headers (names in lower case) a call of a tool with this schema carries for `args`. */
export function mirroredParamHeaders(inputSchema: unknown, args: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const declared of paramHeaders(inputSchema)) {
    const text = asHeaderText(valueAt(args, declared.path));
    if (text !== undefined) headers[`mcp-param-${declared.name.toLowerCase()}`] = encodeHeaderValue(text);
  }
  return headers;
}

/**
 * Null when every annotated argument present in the body has its header, decoding to the same value; otherwise
 * what is wrong, for a -32020 answer. An argument that is absent or null needs no header (and one sent is ignored);
 * so does one that cannot be written as a header (an object, or an integer beyond 2^53, which clients do not send).
 */
export function checkParamHeaders(
  declared: readonly ParamHeader[],
  args: unknown,
  header: (name: string) => string | undefined,
): { header: string; detail: string } | null {
  for (const decl of declared) {
    const value = valueAt(args, decl.path);
    const expected = asHeaderText(value);
    if (expected === undefined) continue;
    const headerName = `Mcp-Param-${decl.name}`;
    const raw = header(headerName.toLowerCase());
    const where = decl.path.join('.');
    if (raw === undefined) {
      return { header: headerName, detail: `the ${headerName} header is missing while the body carries ${where}` };
    }
    const decoded = decodeHeaderValue(raw.replace(OWS, ''));
    if (decoded === undefined) {
      return { header: headerName, detail: `the ${headerName} header carries an invalid =?base64?…?= value` };
    }
    const numeric = (decl.type === 'integer' || decl.type === 'number') && typeof value === 'number';
    const same = numeric && DECIMAL.test(decoded) ? Number(decoded) === value : decoded === expected;
    if (!same) {
      return {
        header: headerName,
        detail: `${headerName} header value ${JSON.stringify(decoded)} does not match body ${where} ${JSON.stringify(value)}`,
      };
    }
  }
  return null;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A primitive argument as header text: strings as they are, booleans in lower case, numbers in decimal. */
function asHeaderText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Number.isInteger(value) && !Number.isSafeInteger(value) ? undefined : String(value);
}
