// Finding the values a rule's argument path names (`path`, `options.target`, `paths.*`) and naming where each was
// found as a JSON path a person can read (`arguments.paths[2]`), the form config problems use too.
import { formatPath } from '../config/config-problems.ts';

export interface FoundValue {
  /** Where the value is, from the arguments object: `["paths", 2]`. */
  readonly at: readonly (string | number)[];
  readonly value: unknown;
}

/**
 * The values at `path` in `args`. A `*` segment stands for every item of an array or property of an object; a
 * literal segment that is missing yields nothing. `missing` is set when a literal part of the path was absent.
 */
export function valuesAt(args: unknown, path: string): { found: FoundValue[]; missing: boolean } {
  let frontier: FoundValue[] = [{ at: [], value: args }];
  let missing = false;
  for (const segment of path.split('.')) {
    const next: FoundValue[] = [];
    for (const { at, value } of frontier) {
      if (value === null || typeof value !== 'object') {
        missing ||= segment !== '*';
        continue;
      }
      if (segment === '*') {
        if (Array.isArray(value)) value.forEach((item, i) => next.push({ at: [...at, i], value: item }));
        else for (const [key, item] of Object.entries(value)) next.push({ at: [...at, key], value: item });
        continue;
      }
      const key: string | number = Array.isArray(value) && /^\d+$/.test(segment) ? Number(segment) : segment;
      if (!Object.hasOwn(value, key)) {
        missing = true;
        continue;
      }
      next.push({ at: [...at, key], value: (value as Record<string | number, unknown>)[key] });
    }
    frontier = next;
  }
  return { found: frontier, missing };
}

/** `arguments.paths[2]`: where in the call's arguments a problem is. */
export function argumentPath(at: readonly (string | number)[]): string {
  return formatPath(['arguments', ...at]);
}

/** The same for a JSON Pointer as ajv reports it (`/paths/2`). */
export function pointerPath(pointer: string): string {
  if (pointer === '') return 'arguments';
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return argumentPath(segments);
}
