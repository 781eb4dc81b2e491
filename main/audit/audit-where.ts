// The audit filter as SQL, once for both databases: the desktop's SQLite (`@name` parameters) and the team
// server's PostgreSQL (`$n` parameters) take their WHERE clauses from the same function, so a filter means the same
// records in the dashboard of one machine and in the team's. Only the placeholders differ; what shapes a query
// (free text, the cursor, the order) stays with each side, which picks the plan its indexes walk best.

/** What both databases filter on. Team records also carry `member` and `install`; desktop records do not. */
export interface RecordFilter {
  /** Time range, milliseconds since the epoch, inclusive. */
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly kind?: string | undefined;
  readonly method?: string | undefined;
  readonly client?: string | undefined;
  readonly server?: string | undefined;
  /** The tool, URI or prompt. */
  readonly target?: string | undefined;
  readonly outcome?: string | undefined;
  readonly member?: string | undefined;
  readonly install?: string | undefined;
}

/** Hands out one placeholder per value and keeps the values in the form the driver takes. */
export interface SqlParams {
  add(name: string, value: unknown): string;
}

/** better-sqlite3: `@name`, values by name. */
export class NamedParams implements SqlParams {
  readonly values: Record<string, unknown> = {};

  add(name: string, value: unknown): string {
    this.values[name] = value;
    return `@${name}`;
  }
}

/** pg: `$1`, `$2`, …, values in order. */
export class NumberedParams implements SqlParams {
  readonly values: unknown[] = [];

  add(_name: string, value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Filter fields compared for equality, and their columns (the same names in both schemas). */
const EQUAL: readonly (readonly [keyof RecordFilter, string])[] = [
  ['kind', 'kind'],
  ['method', 'method'],
  ['client', 'client'],
  ['server', 'server'],
  ['target', 'target'],
  ['outcome', 'outcome'],
  ['member', 'member'],
  ['install', 'install_id'],
];

/**
 * The conditions of a filter, ANDed by the caller; `alias` prefixes the columns when the audit table is joined.
 * Free text is not handled here: each database has its own index for it, and it decides the shape of the query.
 */
export function filterClauses(filter: RecordFilter, params: SqlParams, alias = ''): string[] {
  const clauses: string[] = [];
  for (const [field, column] of EQUAL) {
    const value = filter[field];
    if (value !== undefined) clauses.push(`${alias}${column} = ${params.add(column, value)}`);
  }
  if (filter.since !== undefined) clauses.push(`${alias}ts >= ${params.add('since', filter.since)}`);
  if (filter.until !== undefined) clauses.push(`${alias}ts <= ${params.add('until', filter.until)}`);
  return clauses;
}
