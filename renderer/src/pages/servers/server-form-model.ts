// The add/edit form's text fields and the `ServerInputView` they stand for: arguments one per line,
// `KEY=VALUE` environment lines, `Name: value` (or `Name=value`) header lines. Problems, the form's own and
// the core's, are placed beside the field their path names.
import type { FieldProblem, ServerInputView } from '../../../../preload/contract.ts';

export type FormField = 'name' | 'transport' | 'command' | 'args' | 'env' | 'cwd' | 'url' | 'headers';

export interface ServerFormValues {
  readonly name: string;
  readonly transport: 'stdio' | 'http' | 'sse';
  readonly command: string;
  readonly args: string;
  readonly env: string;
  readonly cwd: string;
  readonly url: string;
  readonly headers: string;
  readonly enabled: boolean;
  /** Started by the first request and stopped when idle; new local servers default to it, as `server add` does. */
  readonly onDemand: boolean;
}

export const EMPTY_FORM: ServerFormValues = {
  name: '',
  transport: 'stdio',
  command: '',
  args: '',
  env: '',
  cwd: '',
  url: '',
  headers: '',
  enabled: true,
  onDemand: true,
};

export function formOf(name: string, server: ServerInputView): ServerFormValues {
  if (server.transport === 'stdio') {
    return {
      ...EMPTY_FORM,
      name,
      command: server.command,
      args: server.args.join('\n'),
      env: Object.entries(server.env)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
      cwd: server.cwd ?? '',
      enabled: server.enabled,
      onDemand: server.start === 'on-demand',
    };
  }
  return {
    ...EMPTY_FORM,
    name,
    transport: server.transport,
    url: server.url,
    headers: Object.entries(server.headers)
      .map(([key, value]) => `${key}: ${value}`)
      .join('\n'),
    enabled: server.enabled,
    onDemand: server.start === 'on-demand',
  };
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** `KEY=VALUE` env lines, or header lines split at their first `:` or `=` (header names have neither). */
function pairs(text: string, field: 'env' | 'headers', problems: FieldProblem[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, line] of lines(text).entries()) {
    const at = field === 'env' ? line.indexOf('=') : line.search(/[:=]/);
    const key = at > 0 ? line.slice(0, at).trim() : '';
    if (key === '') {
      const shape = field === 'env' ? 'KEY=VALUE' : 'Name: value';
      problems.push({ path: field, message: `line ${index + 1} is not ${shape}: "${line}"` });
      continue;
    }
    result[key] = line.slice(at + 1).trim();
  }
  return result;
}

/** The server the form describes, or the problems that keep it from being one. */
export function serverOf(
  values: ServerFormValues,
): { ok: true; server: ServerInputView } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (values.name.trim() === '') problems.push({ path: 'name', message: 'Give the server a name.' });
  let server: ServerInputView;
  if (values.transport === 'stdio') {
    if (values.command.trim() === '') problems.push({ path: 'command', message: 'Give the command to run.' });
    const env = pairs(values.env, 'env', problems);
    const cwd = values.cwd.trim();
    server = {
      transport: 'stdio',
      command: values.command.trim(),
      args: values.args.split(/\r?\n/).filter((line) => line.trim() !== ''),
      env,
      ...(cwd === '' ? {} : { cwd }),
      enabled: values.enabled,
      start: values.onDemand ? 'on-demand' : 'always',
    };
  } else {
    if (values.url.trim() === '') problems.push({ path: 'url', message: 'Give the server’s URL.' });
    server = {
      transport: values.transport,
      url: values.url.trim(),
      headers: pairs(values.headers, 'headers', problems),
      enabled: values.enabled,
      start: values.onDemand ? 'on-demand' : 'always',
    };
  }
  return problems.length === 0 ? { ok: true, server } : { ok: false, problems };
}

const FIELDS: readonly FormField[] = ['name', 'transport', 'command', 'args', 'env', 'cwd', 'url', 'headers'];

/**
 * The field a problem's path names: `name`, `server.command`, `server.env.API_KEY`, or a config path such as
 * `servers.docs.url`. Null for a problem of the whole form.
 */
function fieldOf(path: string, serverName: string): FormField | null {
  let parts = path.split('.');
  if (parts[0] === 'server') parts = parts.slice(1);
  else if (parts[0] === 'servers' && parts.length > 2) parts = parts.slice(2);
  else if (parts[0] === 'servers' && parts.length === 2 && parts[1] === serverName) return 'name';
  const head = parts[0] ?? '';
  return (FIELDS as readonly string[]).includes(head) ? (head as FormField) : null;
}

/** Problems grouped by field, and those of no field. */
export function placeProblems(
  problems: readonly FieldProblem[],
  serverName: string,
): { byField: Partial<Record<FormField, string[]>>; general: string[] } {
  const byField: Partial<Record<FormField, string[]>> = {};
  const general: string[] = [];
  for (const problem of problems) {
    const field = fieldOf(problem.path, serverName);
    if (field === null) {
      general.push(problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`);
      continue;
    }
    const rest = problem.path.split('.').slice(-1)[0] ?? field;
    let detail = '';
    if (field === 'args' && /^\d+$/.test(rest)) detail = `line ${Number(rest) + 1}: `;
    else if ((field === 'env' || field === 'headers') && rest !== field) detail = `${rest}: `;
    (byField[field] ??= []).push(detail + problem.message);
  }
  return { byField, general };
}
