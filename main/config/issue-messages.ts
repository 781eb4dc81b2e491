// Messages for the checks the schema leaves to zod's defaults. "Too small: expected number to be >=10" reads like
// a stack trace; "must be at least 10, not 5" says what to write instead. Messages written in schema.ts win over
// these, since zod prefers a schema's own message to the error map passed to a parse.
import type { z } from 'zod';

export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `must be ${expectedNoun(issue.expected)}`
        : `must be ${expectedNoun(issue.expected)}, not ${describeValue(issue.input)}`;
    case 'invalid_value': {
      const allowed =
        issue.values.length === 1
          ? JSON.stringify(issue.values[0])
          : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return `must be ${allowed}, not ${describeValue(issue.input)}`;
    }
    case 'too_small':
      return sizeMessage('at least', 'more than', issue.origin, issue.minimum, issue.inclusive, issue.input);
    case 'too_big':
      return sizeMessage('at most', 'less than', issue.origin, issue.maximum, issue.inclusive, issue.input);
    case 'invalid_format':
      return issue.format === 'regex' ? `must match the pattern ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, not ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

/** A value as it would be quoted back to the person who wrote it: `"abc"`, `5`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function expectedNoun(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'an array (in [brackets])';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function sizeMessage(
  inclusiveWord: string,
  exclusiveWord: string,
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  input: unknown,
): string {
  const bound = `${inclusive === false ? exclusiveWord : inclusiveWord} ${limit}`;
  switch (origin) {
    case 'string':
      if (inclusiveWord === 'at least' && Number(limit) === 1 && inclusive !== false) return 'must not be empty';
      return `must be ${bound} characters long`;
    case 'array':
    case 'set':
      return `must have ${bound} items`;
    default:
      return `must be ${bound}, not ${describeValue(input)}`;
  }
}
