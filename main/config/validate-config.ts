// Config text in, a validated Config or every problem out. Pure: no file system, so the CLI, the store and the
// UI (checking an edit before saving it) all validate the same way.
import type { ConfigProblem } from './config-problems.ts';
import { configErrorMap, describeValue } from './issue-messages.ts';
import { issuesToProblems } from './issues-to-problems.ts';
import { findJsonSyntaxError, lineColumn } from './json-syntax.ts';
import { configSchema, type Config, type ConfigInput } from './schema.ts';

/** A result that also carries the input as written, so it can be edited and written back without the defaults. */
export type ParsedConfig =
  | { readonly ok: true; readonly config: Config; readonly input: ConfigInput }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** The configuration used when there is no config.json: no servers, every default. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/** Validates an already-parsed value against the config schema. */
export function validateConfig(input: unknown): ParsedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: `the configuration must be a JSON object such as {"servers": {}}, not ${describeValue(input)}`,
        },
      ],
    };
  }
  const result = configSchema.safeParse(input, { error: configErrorMap });
  if (result.success) return { ok: true, config: result.data, input: input as ConfigInput };
  return { ok: false, problems: issuesToProblems(result.error.issues, configSchema, input) };
}

/** Parses and validates the text of a config file. */
export function parseConfig(text: string): ParsedConfig {
  // Some Windows editors save UTF-8 with a byte order mark, which JSON.parse rejects.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: 'the file is empty; write {} for an empty configuration, or delete the file to use the defaults',
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, problems: [jsonProblem(body, error)] };
  }
  return validateConfig(value);
}

function jsonProblem(text: string, error: unknown): ConfigProblem {
  const found = findJsonSyntaxError(text);
  const fallbackMessage = error instanceof Error ? error.message : String(error);
  const offset = found?.offset ?? positionFromMessage(fallbackMessage) ?? text.length;
  const { line, column } = lineColumn(text, offset);
  const reason = found?.message ?? fallbackMessage;
  return { path: '', message: `not valid JSON at line ${line}, column ${column}: ${reason}`, line, column };
}

function positionFromMessage(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
