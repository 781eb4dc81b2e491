// Bounds on the shape of a call's arguments, checked before anything else looks at them (T25): long strings,
// deep nesting and huge arrays are refused with the limit and where it was hit. The walk keeps its own stack, so
// arguments nested 100,000 deep are measured without overflowing the call stack.
import type { ArgumentLimits } from '../config/policy-schema.ts';
import { argumentPath } from './argument-paths.ts';
import type { ArgumentProblem } from './schema-validator.ts';

/** The first limit the arguments break, or null. */
export function checkArgumentLimits(args: unknown, limits: ArgumentLimits): ArgumentProblem | null {
  const stack: { value: unknown; at: (string | number)[] }[] = [{ value: args, at: [] }];
  while (stack.length > 0) {
    const { value, at } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) {
        return {
          path: argumentPath(at),
          message: `is ${value.length} characters long, over the limit of ${limits.maxStringLength} (policy.argumentLimits.maxStringLength)`,
        };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (at.length >= limits.maxDepth) {
      return {
        path: argumentPath(at.length > 8 ? [...at.slice(0, 8), '…'] : at),
        message: `nests deeper than the limit of ${limits.maxDepth} (policy.argumentLimits.maxDepth)`,
      };
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayItems) {
        return {
          path: argumentPath(at),
          message: `has ${value.length} items, over the limit of ${limits.maxArrayItems} (policy.argumentLimits.maxArrayItems)`,
        };
      }
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], at: [...at, i] });
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], at: [...at, entries[i]![0]] });
  }
  return null;
}
