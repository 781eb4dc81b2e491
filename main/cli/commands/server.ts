// `switchboard server add|list|remove|restart`: edits config.json (a running gateway follows the file) and asks a
// running gateway to restart a server.
import { loadConfig } from '../../config/load-config.ts';
import type { ConfigInput, StartMode } from '../../config/schema.ts';
import { updateConfig } from '../../config/update-config.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { StatusReport } from '../../core/status-report.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { UsageError, keyValues, listOption, stringOption, type CliIo, type Command } from '../command.ts';
import { describeState } from '../describe-state.ts';

export function oneName(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1) {
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ');
    // Usage may span lines; an error stays one line.
    throw new UsageError(`expected one server name, got ${got}; usage: ${usage.split('\n')[0]}`);
  }
  return positionals[0]!;
}

export function printProblems(io: CliIo, problems: readonly { path: string; message: string }[]): number {
  for (const p of problems) io.err(`${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  return 1;
}

export const serverAddCommand: Command = {
  path: ['server', 'add'],
  summary: 'Add a stdio server (after --) or a remote one (--url).',
  usage:
    'switchboard server add NAME [--env KEY=VALUE]... [--cwd DIR] [--start on-demand|always] -- CMD [ARGS...]\n       switchboard server add NAME --url URL [--header KEY=VALUE]... [--start always|on-demand]',
  options: {
    env: { type: 'string', multiple: true },
    header: { type: 'string', multiple: true },
    url: { type: 'string' },
    cwd: { type: 'string' },
    start: { type: 'string' },
    disabled: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const url = stringOption(args, 'url');
    const env = keyValues(listOption(args, 'env'), '--env');
    const headers = keyValues(listOption(args, 'header'), '--header');
    const cwd = stringOption(args, 'cwd');
    if (url !== undefined && args.rest.length > 0)
      throw new UsageError('give either --url or a command after --, not both');
    if (url === undefined && args.rest.length === 0) {
      throw new UsageError('missing the server: a command after -- (stdio) or --url URL (remote)');
    }
    if (url !== undefined && (Object.keys(env).length > 0 || cwd !== undefined)) {
      throw new UsageError('--env and --cwd apply to stdio servers; a remote server takes --header');
    }
    if (url === undefined && Object.keys(headers).length > 0)
      throw new UsageError('--header applies to remote servers (--url)');
    const enabled = args.values.disabled === true ? { enabled: false } : {};
    // New stdio servers start on first use and stop when idle; a config without `start` means `always`.
    const start = stringOption(args, 'start') ?? (url === undefined ? 'on-demand' : undefined);
    if (start !== undefined && start !== 'always' && start !== 'on-demand') {
      throw new UsageError('--start must be "always" or "on-demand"');
    }
    const startMode = start === undefined ? {} : { start: start as StartMode };
    const server =
      url !== undefined
        ? { url, ...(Object.keys(headers).length ? { headers } : {}), ...startMode, ...enabled }
        : {
            command: args.rest[0]!,
            ...(args.rest.length > 1 ? { args: args.rest.slice(1) } : {}),
            ...(Object.keys(env).length ? { env } : {}),
            ...(cwd !== undefined ? { cwd } : {}),
            ...startMode,
            ...enabled,
          };
    const result = await updateConfig(global.dataDir, (draft: ConfigInput) => {
      if (draft.servers?.[name] !== undefined) {
        return new Error(
          `a server named "${name}" already exists; remove it first (switchboard server remove ${name})`,
        );
      }
      return { ...draft, servers: { ...draft.servers, [name]: server } };
    });
    if (!result.ok) return printProblems(io, result.problems);
    io.out(global.json ? JSON.stringify({ added: name }) + '\n' : `added server "${name}"\n`);
    return 0;
  },
};

export const serverRemoveCommand: Command = {
  path: ['server', 'remove'],
  summary: 'Remove a server (a running gateway stops it).',
  usage: 'switchboard server remove NAME',
  options: {},
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const result = await updateConfig(global.dataDir, (draft: ConfigInput) => {
      if (draft.servers?.[name] === undefined) return new Error(`no server named "${name}"`);
      const { [name]: _removed, ...servers } = draft.servers;
      return { ...draft, servers };
    });
    if (!result.ok) return printProblems(io, result.problems);
    io.out(global.json ? JSON.stringify({ removed: name }) + '\n' : `removed server "${name}"\n`);
    return 0;
  },
};

export const serverListCommand: Command = {
  path: ['server', 'list'],
  summary: 'List configured servers, with their live state when the gateway runs.',
  usage: 'switchboard server list [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const config = await loadConfig(dataDirPaths(global.dataDir).config);
    if (!config.ok) return printProblems(io, config.problems);
    const live = await controlRequest<StatusReport>(global.dataDir, 'GET', '/status');
    const running = new Map(live.ok ? live.value.servers.map((s) => [s.name, s]) : []);
    const rows = Object.entries(config.config.servers).map(([name, s]) => ({
      name,
      transport: s.transport,
      target: 'command' in s ? [s.command, ...s.args].join(' ') : s.url,
      enabled: s.enabled,
      state: running.get(name)?.state ?? null,
      isolation: s.isolation,
      /** Per-client or per-session instances running now (none while the gateway does not run). */
      instances: running.get(name)?.instances ?? 0,
    }));
    if (global.json) {
      io.out(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    if (rows.length === 0) io.out('no servers configured (add one: switchboard server add NAME -- CMD [ARGS...])\n');
    for (const r of rows) {
      const state = r.state ? describeState(r.state, Date.now()) : r.enabled ? 'not running' : 'disabled';
      const shared = r.isolation === 'shared' ? 'shared' : `${r.isolation} (${r.instances})`;
      io.out(`${r.name.padEnd(20)} ${r.transport.padEnd(6)} ${state.padEnd(24)} ${shared.padEnd(16)} ${r.target}\n`);
    }
    return 0;
  },
};

/** Asks the running gateway to start or restart one server. */
async function serverAction(
  action: 'start' | 'restart',
  name: string,
  global: { dataDir: string; json: boolean },
  io: CliIo,
): Promise<number> {
  const result = await controlRequest<{ ok: true }>(
    global.dataDir,
    'POST',
    `/servers/${encodeURIComponent(name)}/${action}`,
  );
  if (!result.ok) {
    io.err(`server ${action}: ${result.error}${result.notRunning ? ' (start it with: switchboard serve)' : ''}\n`);
    return 1;
  }
  const done = action === 'start' ? 'starting' : 'restarted';
  io.out(global.json ? JSON.stringify({ [done]: name }) + '\n' : `${action}ing server "${name}"\n`);
  return 0;
}

export const serverRestartCommand: Command = {
  path: ['server', 'restart'],
  summary: 'Restart a server in the running gateway (also clears a crash loop).',
  usage: 'switchboard server restart NAME',
  options: {},
  allowPositionals: true,
  run(args, global, io) {
    return serverAction('restart', oneName(args.positionals, this.usage), global, io);
  },
};

export const serverStartCommand: Command = {
  path: ['server', 'start'],
  summary: 'Start a server in the running gateway now (warms up an on-demand server ahead of its first use).',
  usage: 'switchboard server start NAME',
  options: {},
  allowPositionals: true,
  run(args, global, io) {
    return serverAction('start', oneName(args.positionals, this.usage), global, io);
  },
};
