// `Mcp-Param-*` headers: a tool argument whose schema property carries `"x-mcp-header": "Name"` is mirrored into
// `Mcp-Param-Name`, so intermediaries can route on it; a server must check the header against the argument and
// refuse a request where they disagree (spec 2026-07-28, streamable-http "Custom Headers"; security test T56).
// Values that are not plain visible ASCII travel as `=?base64?<base64 of UTF-8>?=`; the payload must be canonical
// base64, so Node's lenient decoder is not enough (conformance http-custom-header-server-validation).

export interface ParamHeader {
  /** Property names from the schema root down to the annotated property. */
  readonly path: readonly string[];
  /** The header is `Mcp-Param-<name>`. */
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
}

const PREFIX = '=?base64?';
const SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const PRIMITIVE = new Set(['string', 'integer', 'number', 'boolean']);

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

/**
 * The `x-mcp-header` annotations of a tool's input schema, found along chains of `properties` only (the spec
 * allows no other path). An annotation on a non-primitive property is not a header; clients drop such tools.
 */
export function paramHeaders(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (schema: unknown, path: string[]): void => {
    if (schema === null || typeof schema !== 'object') return;
    const node = schema as Record<string, unknown>;
    const name = node['x-mcp-header'];
    const type = node.type;
    if (
      path.length > 0 &&
      typeof name === 'string' &&
      name.length > 0 &&
      typeof type === 'string' &&
      PRIMITIVE.has(type)
    ) {
      found.push({ path, name, type: type as ParamHeader['type'] });
    }
    const properties = node.properties;
    if (properties === null || typeof properties !== 'object') return;
    for (const [key, child] of Object.entries(properties as Record<string, unknown>)) visit(child, [...path, key]);
  };
  visit(inputSchema, []);
  return found;
}

/**
 * Null when every annotated argument present in the body has its header, decoding to the same value; otherwise
 * what is wrong, for a -32020 answer. An argument that is absent or null needs no header (and one sent is ignored).
 */
export function checkParamHeaders(
  declared: readonly ParamHeader[],
  args: unknown,
  header: (name: string) => string | undefined,
): { header: string; detail: string } | null {
  for (const decl of declared) {
    const value = valueAt(args, decl.path);
    if (value === undefined || value === null) continue;
    const expected = asHeaderText(value);
    if (expected === undefined) continue;
    const headerName = `Mcp-Param-${decl.name}`;
    const raw = header(headerName.toLowerCase());
    const where = decl.path.join('.');
    if (raw === undefined) {
      return { header: headerName, detail: `the ${headerName} header is missing while the body carries ${where}` };
    }
    const decoded = decodeHeaderValue(raw.trim());
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

function asHeaderText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
