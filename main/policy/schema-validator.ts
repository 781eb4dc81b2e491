// Checks a call's arguments against the tool's own inputSchema (ajv) before anything reaches the server (T24).
// A schema is JSON Schema 2020-12 unless its `$schema` names draft-07 (or draft-06), as MCP says. Each schema is
// compiled once per definition: by the schema object the catalog holds, then by its text, in a bounded cache
// whose evicted entries are also removed from ajv's own registry (which otherwise keeps every schema it saw).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { pointerPath } from './argument-paths.ts';

export interface ArgumentProblem {
  /** `arguments.options.depth`: where, as a JSON path. */
  readonly path: string;
  readonly message: string;
}

export type SchemaCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly problems: readonly ArgumentProblem[] }
  /** The tool's schema could not be compiled; the call is not checked against it. */
  | { readonly ok: 'unchecked'; readonly reason: string };

type Compiled = { readonly validate: ValidateFunction; readonly ajv: Ajv | Ajv2020 } | { readonly error: string };

/** More problems than this are counted, not listed. */
const MAX_LISTED = 20;

export class SchemaValidator {
  // Made on first use: each costs tens of milliseconds (it compiles its meta-schemas).
  #draft7: Ajv | null = null;
  #draft2020: Ajv2020 | null = null;
  readonly #byObject = new WeakMap<object, Compiled>();
  readonly #byText = new Map<string, Compiled>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 2_000;
  }

  /** How many compiled schemas the text cache holds (for tests of its bound). */
  get size(): number {
    return this.#byText.size;
  }

  check(schema: object, args: unknown): SchemaCheck {
    const compiled = this.#compiled(schema);
    if ('error' in compiled) return { ok: 'unchecked', reason: compiled.error };
    if (compiled.validate(args)) return { ok: true };
    return { ok: false, problems: describe(compiled.validate.errors ?? []) };
  }

  #compiled(schema: object): Compiled {
    const known = this.#byObject.get(schema);
    if (known !== undefined) return known;
    const text = JSON.stringify(schema);
    let compiled = this.#byText.get(text);
    if (compiled === undefined) {
      compiled = this.#compile(schema);
      this.#byText.set(text, compiled);
      this.#evict();
    } else {
      // Least recently used goes first: a hit moves to the end.
      this.#byText.delete(text);
      this.#byText.set(text, compiled);
    }
    this.#byObject.set(schema, compiled);
    return compiled;
  }

  #compile(schema: object): Compiled {
    const { $schema, ...rest } = schema as { $schema?: unknown };
    const options = { strict: false, allErrors: true, validateFormats: false };
    const ajv =
      typeof $schema === 'string' && /draft-0[67]/.test($schema)
        ? (this.#draft7 ??= new Ajv(options))
        : (this.#draft2020 ??= new Ajv2020(options));
    // Two servers may give their schemas the same $id; ours is only used through the function compiled here.
    const id = (rest as { $id?: unknown }).$id;
    if (typeof id === 'string') ajv.removeSchema(id);
    try {
      return { validate: ajv.compile(rest), ajv };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  #evict(): void {
    while (this.#byText.size > this.#maxEntries) {
      const [text, compiled] = this.#byText.entries().next().value!;
      this.#byText.delete(text);
      if ('validate' in compiled) compiled.ajv.removeSchema(compiled.validate.schema as object);
    }
  }
}

/** Every problem, each at its JSON path, in words; past MAX_LISTED a count of the rest. */
export function describe(errors: readonly ErrorObject[]): ArgumentProblem[] {
  const problems: ArgumentProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const problem = describeOne(error);
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  if (problems.length <= MAX_LISTED) return problems;
  return [
    ...problems.slice(0, MAX_LISTED),
    { path: 'arguments', message: `and ${problems.length - MAX_LISTED} more problems` },
  ];
}

function describeOne(error: ErrorObject): ArgumentProblem {
  const at = pointerPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: child(at, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return {
        path: child(at, String(params.additionalProperty)),
        message: 'is not allowed (the schema permits no other properties)',
      };
    case 'unevaluatedProperties':
      return { path: child(at, String(params.unevaluatedProperty)), message: 'is not allowed by the schema' };
    case 'type':
      return { path: at, message: `must be ${String(params.type)}` };
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path: at, message: error.message ?? `fails "${error.keyword}"` };
  }
}

function child(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
