// Nothing runs on this machine without local approval of its exact command (security test T77). A stdio server
// that arrived from an import, a team policy or a link, rather than being typed here, starts only once someone
// has approved the command it runs now: its argv, the names of its environment variables and its cwd. The
// approval is the fingerprint of exactly that, kept on the server's entry, so any later change to the command
// asks again. Risky parts are named so the person looking at the command sees them.
import { createHash } from 'node:crypto';
import type { StdioServerConfig } from '../config/schema.ts';

/** Where a server's entry came from; only `user` (typed here, the default) runs without an approval. */
export const SERVER_ORIGINS = ['user', 'import', 'team', 'link'] as const;
export type ServerOrigin = (typeof SERVER_ORIGINS)[number];

/** What an approval covers, as shown to the person approving it. */
export interface CommandShown {
  readonly argv: readonly string[];
  /** Names only: values may be secrets, and a name says what the server is given. */
  readonly env: readonly string[];
  readonly cwd: string | null;
}

export interface CommandRisk {
  /** The argument (index into `argv`) or `env`/`cwd` the risk is in. */
  readonly where: string;
  readonly what: string;
}

type Command = Pick<StdioServerConfig, 'command' | 'args' | 'env' | 'cwd'>;

export function commandShown(config: Command): CommandShown {
  return { argv: [config.command, ...config.args], env: Object.keys(config.env).sort(), cwd: config.cwd ?? null };
}

/** `sha256:<hex>` of the command as shown; the same command always gives the same fingerprint. */
export function commandFingerprint(config: Command): string {
  const shown = commandShown(config);
  const canonical = JSON.stringify([shown.argv, shown.env, shown.cwd]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Whether the server may start: null when it may, else what is missing, in words a person can act on. */
export function approvalMissing(
  name: string,
  config: Command & { readonly origin: ServerOrigin; readonly approvedCommand?: string | undefined },
): string | null {
  if (config.origin === 'user') return null;
  const fingerprint = commandFingerprint(config);
  if (config.approvedCommand === fingerprint) return null;
  const why =
    config.approvedCommand === undefined
      ? `came from ${ORIGIN_WORDS[config.origin]} and its command has not been approved on this machine`
      : 'runs a command that changed since it was approved';
  return `server "${name}" ${why}; review it and run \`switchboard server approve ${name}\` (or Approve on the Servers page)`;
}

const ORIGIN_WORDS: Record<Exclude<ServerOrigin, 'user'>, string> = {
  import: 'an import',
  team: 'the team policy',
  link: 'a link',
};

/** Shells, privilege changes and destructive or fetch-and-run patterns, each named where it is. */
export function commandRisks(config: Command): CommandRisk[] {
  const risks: CommandRisk[] = [];
  const argv = [config.command, ...config.args];
  argv.forEach((arg, index) => {
    const where = index === 0 ? 'command' : `argument ${index}`;
    const base = arg.split(/[\\/]/).pop() ?? arg;
    if (PRIVILEGE.has(base)) risks.push({ where, what: `runs with raised privileges (${base})` });
    if (SHELLS.has(base) && ['-c', '/c', '-Command', '-EncodedCommand'].includes(argv[index + 1] ?? '')) {
      risks.push({ where, what: `runs a shell command line (${base} ${argv[index + 1]})` });
    }
    for (const [pattern, what] of PATTERNS) if (pattern.test(arg)) risks.push({ where, what });
  });
  for (const name of Object.keys(config.env)) {
    if (INJECTING_ENV.has(name)) risks.push({ where: `env ${name}`, what: 'changes what code the process loads' });
  }
  return risks;
}

const PRIVILEGE = new Set(['sudo', 'doas', 'su', 'pkexec', 'runas']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'cmd', 'cmd.exe', 'powershell', 'pwsh']);
const INJECTING_ENV = new Set([
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'NODE_OPTIONS',
  'PYTHONSTARTUP',
]);
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\brm\s+(-[a-zA-Z]*[rf][a-zA-Z]*\s+)+/, 'deletes files (rm -r/-f)'],
  [/\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/, 'pipes into a shell'],
  [/\b(curl|wget)\b[^|]*\|/, 'pipes a download into another program'],
  [/\$\(|`/, 'substitutes a command'],
  [/(^|\s)(;|&&|\|\|)(\s|$)/, 'chains commands'],
  [/\beval\b/, 'evaluates a string as code'],
  [/\b(mkfs|dd\s+if=|chmod\s+-R\s+777|chown\s+-R)\b/, 'changes disks or permissions wholesale'],
];
