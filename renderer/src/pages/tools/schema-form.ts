// A tool's JSON Schema input as form fields, and the fields' text back as the call's arguments. Simple
// properties (strings, numbers, integers, booleans, enums, arrays of strings) get their own control; anything
// else gets a JSON box of its own, and a schema that is not a plain object of properties is edited as JSON whole.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-array' | 'json';

export interface SchemaField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description?: string;
  /** The choices of an `enum` field. */
  readonly options?: readonly Json[];
  /** The field's text before the person types: the schema's default, if any. */
  readonly initial: string;
}

export type FormPlan =
  | { readonly mode: 'fields'; readonly fields: readonly SchemaField[] }
  | { readonly mode: 'json'; readonly reason: string };

type Schema = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one non-null type a schema names (`"string"` or `["string", "null"]`), if it names one. */
function typeOf(schema: Schema): string | null {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const named = type.filter((t) => t !== 'null');
    return named.length === 1 && typeof named[0] === 'string' ? named[0] : null;
  }
  return null;
}

function kindOf(schema: Schema): FieldKind {
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0 && choices.every((c) => c === null || typeof c !== 'object')) {
    return 'enum';
  }
  const type = typeOf(schema);
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type;
  if (type === 'array' && isObject(schema['items']) && typeOf(schema['items']) === 'string') return 'string-array';
  return 'json';
}

function initialOf(kind: FieldKind, schema: Schema): string {
  const value = schema['default'];
  if (value === undefined) return '';
  switch (kind) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return String(value);
    case 'enum':
      return JSON.stringify(value);
    case 'string-array':
      return Array.isArray(value) ? value.join('\n') : '';
    case 'json':
      return JSON.stringify(value, null, 2);
  }
}

export function planOf(inputSchema: Schema): FormPlan {
  for (const key of ['oneOf', 'anyOf', 'allOf', '$ref', 'if', 'not']) {
    if (key in inputSchema) return { mode: 'json', reason: `the input schema uses ${key}` };
  }
  const type = typeOf(inputSchema);
  if (type !== null && type !== 'object') return { mode: 'json', reason: `the input is of type ${type}` };
  const properties = isObject(inputSchema['properties']) ? inputSchema['properties'] : {};
  const required = new Set(
    Array.isArray(inputSchema['required']) ? inputSchema['required'].filter((r) => typeof r === 'string') : [],
  );
  const fields = Object.entries(properties).map(([name, raw]): SchemaField => {
    const schema = isObject(raw) ? raw : {};
    const kind = kindOf(schema);
    const description = typeof schema['description'] === 'string' ? schema['description'] : undefined;
    return {
      name,
      kind,
      required: required.has(name),
      ...(description === undefined ? {} : { description }),
      ...(kind === 'enum' ? { options: schema['enum'] as Json[] } : {}),
      initial: initialOf(kind, schema),
    };
  });
  return { mode: 'fields', fields };
}

export type Built =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problems: Readonly<Record<string, string>> };

/** The arguments the fields' text stands for; an empty optional field is left out. */
export function argumentsOf(fields: readonly SchemaField[], values: Readonly<Record<string, string>>): Built {
  const value: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const text = values[field.name] ?? '';
    if (text.trim() === '' && field.kind !== 'string') {
      if (field.required) problems[field.name] = 'is required';
      continue;
    }
    if (text === '' && field.kind === 'string') {
      if (field.required) problems[field.name] = 'is required';
      continue;
    }
    switch (field.kind) {
      case 'string':
        value[field.name] = text;
        break;
      case 'number':
      case 'integer': {
        const number = Number(text.trim());
        if (!Number.isFinite(number)) problems[field.name] = 'must be a number';
        else if (field.kind === 'integer' && !Number.isInteger(number)) problems[field.name] = 'must be a whole number';
        else value[field.name] = number;
        break;
      }
      case 'boolean':
        value[field.name] = text === 'true';
        break;
      case 'enum':
        value[field.name] = JSON.parse(text) as unknown;
        break;
      case 'string-array':
        value[field.name] = text.split(/\r?\n/).filter((line) => line !== '');
        break;
      case 'json':
        try {
          value[field.name] = JSON.parse(text) as unknown;
        } catch (error) {
          problems[field.name] = `is not JSON: ${(error as Error).message}`;
        }
        break;
    }
  }
  return Object.keys(problems).length === 0 ? { ok: true, value } : { ok: false, problems };
}

/** Arguments typed as JSON: they must be one object. */
export function argumentsOfJson(text: string): Built {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (error) {
    return { ok: false, problems: { '': `Arguments are not JSON: ${(error as Error).message}` } };
  }
  if (!isObject(parsed)) return { ok: false, problems: { '': 'Arguments must be a JSON object, {…}.' } };
  return { ok: true, value: { ...parsed } };
}
