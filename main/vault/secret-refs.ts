// `${secret:NAME}` references inside a server's env, args, headers and url: found, checked and filled in at the
// moment a server is spawned or connected, so values live only in the vault and in the memory of that start.
import type { ServerConfig } from '../config/schema.ts';

/** Secret names: what a person types on the command line and what the keychain stores as the account. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const REF = /\$\{secret:([^}]*)\}/g;
const OPENER = '${secret:';

/** A problem with the references in one string, e.g. `${secret:}` or an unclosed `${secret:X`. */
export interface RefProblem {
  readonly message: string;
}

/** The names referenced in `text`, or the first malformed reference. */
export function refsIn(text: string): { ok: true; names: string[] } | { ok: false; problem: RefProblem } {
  const names: string[] = [];
  let openers = 0;
  for (let at = text.indexOf(OPENER); at !== -1; at = text.indexOf(OPENER, at + 1)) openers += 1;
  for (const match of text.matchAll(REF)) {
    const name = match[1]!;
    if (!SECRET_NAME_PATTERN.test(name)) {
      return {
        ok: false,
        problem: {
          message: `"\${secret:${name}}" is not a valid secret reference: names are 1-128 characters of A-Z, a-z, 0-9, "_", "." and "-", starting with a letter or "_"`,
        },
      };
    }
    names.push(name);
  }
  if (openers !== names.length) {
    return { ok: false, problem: { message: 'has "${secret:" without a closing "}"' } };
  }
  return { ok: true, names };
}

/** Every string of a server config that may hold references, with its JSON path for error messages. */
export function referableFields(config: ServerConfig): { path: (string | number)[]; value: string }[] {
  if (config.transport === 'stdio') {
    return [
      ...config.args.map((value, i) => ({ path: ['args', i], value })),
      ...Object.entries(config.env).map(([key, value]) => ({ path: ['env', key], value })),
    ];
  }
  return [
    { path: ['url'], value: config.url },
    ...Object.entries(config.headers).map(([key, value]) => ({ path: ['headers', key], value })),
    ...(config.oauth.clientSecret === undefined
      ? []
      : [{ path: ['oauth', 'clientSecret'], value: config.oauth.clientSecret }]),
  ];
}

/** The distinct secret names a server refers to, in order of first use; malformed references are skipped. */
export function secretsUsedBy(config: ServerConfig): string[] {
  const names = new Set<string>();
  for (const field of referableFields(config)) {
    const found = refsIn(field.value);
    if (found.ok) for (const name of found.names) names.add(name);
  }
  return [...names];
}

/** `text` with each reference replaced by its value; `values` must hold every name `refsIn` found. */
export function fillRefs(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(REF, (_, name: string) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`no value for secret "${name}"`);
    return value;
  });
}

/** A copy of `config` with every reference filled in from `values`. */
export function fillServerConfig(config: ServerConfig, values: ReadonlyMap<string, string>): ServerConfig {
  const fill = (text: string): string => fillRefs(text, values);
  const mapValues = (record: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fill(value)]));
  if (config.transport === 'stdio') {
    return { ...config, args: config.args.map(fill), env: mapValues(config.env) };
  }
  const { clientSecret } = config.oauth;
  return {
    ...config,
    url: fill(config.url),
    headers: mapValues(config.headers),
    oauth: { ...config.oauth, ...(clientSecret === undefined ? {} : { clientSecret: fill(clientSecret) }) },
  };
}
