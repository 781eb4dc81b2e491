// What can be wrong with a config file, as values: every problem names where it is, so the CLI, the UI and
// the log can all point a person at the exact spot to fix.
import type { Config } from './schema.ts';

export interface ConfigProblem {
  /** Where in the file, as a JSON path: `servers.fs.args[2]`, `gateway.port`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based position in the text, for syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * A path as a person would write it: `servers.fs.args[2]`, with keys that are not plain names quoted:
 * `servers["A B"]`.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** One line per problem: `servers.fs.command: must not be empty`. */
export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}
