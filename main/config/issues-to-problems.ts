// From zod's issues to problems a person can fix. Leaf messages come from the schema and `configErrorMap`;
// this file handles the structural ones zod words for programmers: a bad record key ("Invalid key in record"),
// unknown keys (one problem per key, with a likely spelling), and a server matching neither stdio nor remote
// (zod reports both attempts; only the one the person meant is useful).
import { z } from 'zod';
import { formatPath, type ConfigProblem } from './config-problems.ts';
import { closestMatch } from './did-you-mean.ts';
import { describeValue } from './issue-messages.ts';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** What the keys of each record are, for "server names must be ..." instead of "Invalid key in record". */
const KEY_NOUNS: Readonly<Record<string, string>> = {
  servers: 'server names',
  env: 'environment variable names',
  headers: 'header names',
};

/**
 * Converts issues from parsing `input` with `schema` into problems, in the order zod found them.
 * `input` is the whole document, so values can be quoted back and the meant union branch chosen.
 */
export function issuesToProblems(issues: readonly Issue[], schema: Schema, input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  collect(issues, [], schema, input, problems);
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collect(
  issues: readonly Issue[],
  base: readonly PropertyKey[],
  schema: Schema,
  input: unknown,
  out: ConfigProblem[],
): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const found = schemaAt(schema, issue.path, valueAt(input, base));
        const target = found instanceof z.ZodUnion ? meantOption(found, valueAt(input, path)) : found;
        const shape = target === undefined ? undefined : objectShape(target);
        const known = shape === undefined ? [] : Object.keys(shape);
        for (const key of issue.keys) {
          out.push({ path: formatPath([...path, key]), message: unknownKeyMessage(key, known, path.length === 0) });
        }
        break;
      }
      case 'invalid_key': {
        const parent = path.at(-2);
        const noun = (typeof parent === 'string' ? KEY_NOUNS[parent] : undefined) ?? 'keys';
        const reasons = issue.issues.map((inner) => inner.message);
        out.push({ path: formatPath(path), message: `${noun} ${reasons.join('; ') || 'are not valid here'}` });
        break;
      }
      case 'invalid_union': {
        const union = schemaAt(schema, issue.path, valueAt(input, base));
        const value = valueAt(input, path);
        const options = union instanceof z.ZodUnion ? (union.options as readonly Schema[]) : [];
        const chosen = isPlainObject(value) ? pickOption(options, value) : undefined;
        const branch = chosen === undefined ? undefined : issue.errors[chosen];
        const option = chosen === undefined ? undefined : options[chosen];
        if (branch !== undefined && option !== undefined && branch.length > 0) {
          collect(branch, path, option, input, out);
        } else {
          const prefix = isPlainObject(value) ? '' : `must be an object, not ${describeValue(value)}; `;
          out.push({ path: formatPath(path), message: prefix + issue.message });
        }
        break;
      }
      case 'invalid_type': {
        const missing = valueAt(input, path) === undefined;
        out.push({ path: formatPath(path), message: missing ? `is required and ${issue.message}` : issue.message });
        break;
      }
      default:
        out.push({ path: formatPath(path), message: issue.message });
    }
  }
}

function unknownKeyMessage(key: string, known: readonly string[], topLevel: boolean): string {
  if (known.length === 0) return 'is not a known setting here; remove it';
  const guess = closestMatch(key, known);
  const where = topLevel ? 'at the top level' : 'here';
  const hint = guess === undefined ? '' : `; did you mean "${guess}"?`;
  return `is not a known setting${hint} (settings allowed ${where}: ${known.join(', ')})`;
}

/**
 * Which union option the person meant, judged by the keys they wrote: a key the option knows scores 2 when its
 * value also fits and 1 when not, a likely misspelling of one of its keys scores 1. A tie means "can't tell".
 */
function pickOption(options: readonly Schema[], value: Record<string, unknown>): number | undefined {
  let best: number | undefined;
  let bestScore = 0;
  let tied = false;
  options.forEach((option, index) => {
    const shape = objectShape(option);
    if (shape === undefined) return;
    const keys = Object.keys(shape);
    let score = 0;
    for (const [key, field] of Object.entries(value)) {
      const fieldSchema = shape[key];
      if (fieldSchema !== undefined) score += z.safeParse(fieldSchema, field).success ? 2 : 1;
      else if (closestMatch(key, keys) !== undefined) score += 1;
    }
    if (score > bestScore) {
      best = index;
      bestScore = score;
      tied = false;
    } else if (score === bestScore && score > 0) {
      tied = true;
    }
  });
  return tied ? undefined : best;
}

/**
 * The schema found by following `path` from `schema`, where `value` is the input at `schema`. Union options on
 * the way are chosen by the input; a union at the end is returned as it is.
 */
function schemaAt(schema: Schema, path: readonly PropertyKey[], value: unknown): Schema | undefined {
  let current: Schema | undefined = unwrap(schema);
  let currentValue = value;
  for (const segment of path) {
    if (current instanceof z.ZodUnion) current = meantOption(current, currentValue);
    if (current instanceof z.ZodObject && typeof segment === 'string') current = current.shape[segment];
    else if (current instanceof z.ZodRecord) current = current.valueType;
    else if (current instanceof z.ZodArray) current = current.element;
    else return undefined;
    current = current === undefined ? undefined : unwrap(current);
    currentValue = isIndexable(currentValue) ? (currentValue as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return current;
}

function meantOption(union: z.ZodUnion, value: unknown): Schema | undefined {
  const options = union.options as readonly Schema[];
  const index = isPlainObject(value) ? pickOption(options, value) : undefined;
  return index === undefined ? undefined : options[index];
}

function objectShape(schema: Schema): Readonly<Record<string, Schema>> | undefined {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Readonly<Record<string, Schema>>) : undefined;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as Schema;
  return current;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (!isIndexable(current) || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isIndexable(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isIndexable(value) && !Array.isArray(value);
}
