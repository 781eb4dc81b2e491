// A rule's argument constraints against one call's arguments: JSON Schema fragments, path prefixes (resolved, see
// path-prefix.ts), regular expressions and value lists. Each failure names the argument by its JSON path.
import { isDeepStrictEqual } from 'node:util';
import type { ArgumentConstraint } from '../config/policy-schema.ts';
import { argumentPath, valuesAt } from './argument-paths.ts';
import { checkPathPrefix } from './path-prefix.ts';
import { publicUrlProblem, type Lookup } from './public-url.ts';
import type { ArgumentProblem, SchemaValidator } from './schema-validator.ts';

export interface ConstraintContext {
  readonly validator: SchemaValidator;
  /** The home directory `~` stands for. */
  readonly home: string;
  /** Resolves host names of `publicUrl` arguments. */
  readonly lookup: Lookup;
}

/** Every problem the arguments have with the constraints; empty when all hold. */
export async function constraintProblems(
  args: unknown,
  constraints: Readonly<Record<string, ArgumentConstraint>>,
  context: ConstraintContext,
): Promise<ArgumentProblem[]> {
  const problems: ArgumentProblem[] = [];
  for (const [path, constraint] of Object.entries(constraints)) {
    const { found, missing } = valuesAt(args ?? {}, path);
    if (missing && !constraint.optional) {
      problems.push({ path: argumentPath(path.split('.')), message: 'is required by the policy rule' });
    }
    for (const { at, value } of found) {
      for (const message of await valueProblems(value, constraint, context)) {
        problems.push({ path: argumentPath(at), message });
      }
    }
  }
  return problems;
}

async function valueProblems(
  value: unknown,
  constraint: ArgumentConstraint,
  context: ConstraintContext,
): Promise<string[]> {
  const problems: string[] = [];
  if (constraint.values !== undefined && !constraint.values.some((allowed) => isDeepStrictEqual(allowed, value))) {
    const shown = constraint.values.map((v) => JSON.stringify(v)).join(', ');
    problems.push(`must be one of ${shown}`);
  }
  if (constraint.pattern !== undefined) {
    if (typeof value !== 'string') problems.push('must be a string');
    else if (!new RegExp(constraint.pattern, 'u').test(value)) problems.push(`must match ${constraint.pattern}`);
  }
  if (constraint.pathPrefix !== undefined) {
    if (typeof value !== 'string') problems.push('must be a path (a string)');
    else {
      const inside = await checkPathPrefix(value, constraint.pathPrefix, context.home);
      if (!inside.ok) problems.push(inside.reason);
    }
  }
  if (constraint.publicUrl === true) {
    const problem = typeof value === 'string' ? await publicUrlProblem(value, context.lookup) : 'must be a URL';
    if (problem !== null) problems.push(problem);
  }
  if (constraint.schema !== undefined) {
    const checked = context.validator.check(constraint.schema, value);
    if (checked.ok === false) problems.push(...checked.problems.map((p) => schemaMessage(p)));
    else if (checked.ok === 'unchecked') problems.push(`cannot be checked: ${checked.reason}`);
  }
  return problems;
}

/** A fragment's problem is reported at the argument; a nested part of it keeps its own place in the message. */
function schemaMessage(problem: ArgumentProblem): string {
  const inner = problem.path.replace(/^arguments/, '');
  return inner === '' ? problem.message : `${inner.replace(/^\./, '')}: ${problem.message}`;
}
