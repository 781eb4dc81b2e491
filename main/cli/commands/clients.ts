// `switchboard clients|connect|disconnect|import|doctor`: IDE clients' config files. Each command parses its
// arguments, calls the clients services (main/clients/) and prints what happened and what to do next.
import type { Target } from '../../clients/client-connections.ts';
import { CLIENTS, CLIENT_IDS, isClientId, type ClientId } from '../../clients/client-registry.ts';
import { openClientServices, type ClientServices } from '../../clients/client-services.ts';
import { ensureDataDir } from '../../paths/data-dir.ts';
import {
  UsageError,
  stringOption,
  type CliIo,
  type Command,
  type GlobalOptions,
  type ParsedCommand,
} from '../command.ts';

const TARGET_OPTIONS = { scope: { type: 'string' }, project: { type: 'string' } } as const;

function clientArg(args: ParsedCommand, usage: string): ClientId {
  if (args.positionals.length !== 1) throw new UsageError(`expected one client; usage: ${usage}`);
  const id = args.positionals[0]!;
  if (!isClientId(id)) throw new UsageError(`unknown client "${id}"; one of: ${CLIENT_IDS.join(', ')}`);
  return id;
}

function targetOf(args: ParsedCommand): Target {
  const scope = stringOption(args, 'scope');
  if (scope !== undefined && scope !== 'user' && scope !== 'project') {
    throw new UsageError(`--scope takes "user" or "project", got "${scope}"`);
  }
  const project = stringOption(args, 'project');
  if (project !== undefined && scope === 'user') throw new UsageError('--project goes with --scope project');
  const resolved = project === undefined ? undefined : new URL(project, `file://${process.cwd()}/`).pathname;
  return {
    ...(scope === undefined && project === undefined ? {} : { scope: scope ?? 'project' }),
    ...(resolved === undefined ? {} : { project: resolved }),
  };
}

async function services(global: GlobalOptions, io: CliIo): Promise<ClientServices> {
  const dir = await ensureDataDir(global.dataDir);
  if (!dir.ok) throw new Error(dir.message);
  return openClientServices({ dataDir: global.dataDir, env: io.env });
}

const STATE_WORDS = {
  'not-installed': 'not installed',
  'not-connected': 'not connected',
  connected: 'connected',
  stale: 'stale',
};

export const clientsCommand: Command = {
  path: ['clients'],
  summary: 'List IDE clients: installed or not, connected, stale (and why).',
  usage: 'switchboard clients [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const list = await (await services(global, io)).connections.list();
    if (global.json) {
      io.out(JSON.stringify(list, null, 2) + '\n');
      return 0;
    }
    for (const c of list) {
      const why = c.reason === undefined ? '' : `  (${c.reason})`;
      io.out(`${c.id.padEnd(15)} ${STATE_WORDS[c.state].padEnd(14)} ${c.file}${why}\n`);
    }
    if (list.some((c) => c.state === 'stale')) io.out('repair a stale client with: switchboard connect CLIENT\n');
    return 0;
  },
};

export const connectCommand: Command = {
  path: ['connect'],
  summary: 'Connect a client: a token in the vault and one "switchboard" entry in its config file (also repairs).',
  usage: 'switchboard connect CLIENT [--scope user|project] [--project DIR] [--url] [--force]',
  options: { ...TARGET_OPTIONS, url: { type: 'boolean' }, force: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, global, io) {
    const id = clientArg(args, this.usage);
    const { connections } = await services(global, io);
    const result = await connections.connect(id, {
      ...targetOf(args),
      url: args.values['url'] === true,
      force: args.values['force'] === true,
    });
    if (global.json) {
      io.out(JSON.stringify(result) + '\n');
      return 0;
    }
    const what = result.changed
      ? `wrote the "switchboard" entry to ${result.file}`
      : `${result.file} already has our entry`;
    io.out(`${CLIENTS[id].label}: ${what}${result.backup === null ? '' : ` (backup: ${result.backup})`}\n`);
    if (result.token !== undefined) {
      const how =
        id === 'vscode'
          ? 'paste it when VS Code asks for the Switchboard token'
          : `set SWITCHBOARD_TOKEN to it in the environment ${CLIENTS[id].label} starts with`;
      io.out(`${result.token}\n`);
      io.err(`that is ${id}'s token (also kept in the vault); ${how}\n`);
    }
    io.out(`next: ${result.reload}\n`);
    return 0;
  },
};

export const disconnectCommand: Command = {
  path: ['disconnect'],
  summary: "Remove our entry from a client's config file and revoke its token.",
  usage: 'switchboard disconnect CLIENT [--scope user|project] [--project DIR]',
  options: TARGET_OPTIONS,
  allowPositionals: true,
  async run(args, global, io) {
    const id = clientArg(args, this.usage);
    const result = await (await services(global, io)).connections.disconnect(id, targetOf(args));
    if (global.json) {
      io.out(JSON.stringify(result) + '\n');
      return 0;
    }
    const entry = !result.removed
      ? `${result.file} had no "switchboard" entry`
      : result.restored
        ? `${result.file} is back as it was before connect`
        : `removed the "switchboard" entry from ${result.file}`;
    io.out(
      `${CLIENTS[id].label}: ${entry}; ${result.revoked ? 'its token is revoked' : 'its token stays (used by another of its files)'}\n`,
    );
    return 0;
  },
};

export const importCommand: Command = {
  path: ['import'],
  summary:
    "Show a client's MCP servers; with --yes add them (secrets to the vault), with --replace swap them for ours.",
  usage: 'switchboard import CLIENT [--yes] [--replace] [--scope user|project] [--project DIR]',
  options: { ...TARGET_OPTIONS, yes: { type: 'boolean' }, replace: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, global, io) {
    const id = clientArg(args, this.usage);
    const target = targetOf(args);
    const { importer } = await services(global, io);
    const plan = await importer.preview(id, target);
    const apply = args.values['yes'] === true;
    if (global.json && !apply) {
      // Secret values never leave: only the servers as they will be written, with their references.
      io.out(
        JSON.stringify(
          { servers: plan.servers.map(({ secrets: _, ...rest }) => rest), skipped: plan.skipped },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    if (!global.json) {
      for (const s of plan.servers) {
        const kind = 'command' in s.server ? `${s.server.command} ${(s.server.args ?? []).join(' ')}` : s.server.url;
        io.out(`${s.source} → ${s.name}: ${kind}\n`);
        for (const m of s.moved) io.out(`    ${m} (moved to the vault)\n`);
        for (const n of s.notes) io.out(`    note: ${n}\n`);
      }
      for (const s of plan.skipped) io.out(`${s.source}: skipped, ${s.reason}\n`);
      if (plan.servers.length === 0) io.out(`nothing to import from ${CLIENTS[id].label}\n`);
    }
    if (!apply || plan.servers.length === 0) {
      if (!apply && plan.servers.length > 0)
        io.out('run again with --yes to add them (and --replace to swap them for the switchboard entry)\n');
      return 0;
    }
    const outcome = await importer.apply(id, plan, { ...target, replace: args.values['replace'] === true });
    if (global.json) {
      io.out(JSON.stringify(outcome) + '\n');
      return 0;
    }
    io.out(
      `added ${outcome.added.join(', ')} to config.json${outcome.secrets.length === 0 ? '' : `; ${outcome.secrets.length} secret(s) stored in the vault`}\n`,
    );
    if (outcome.replaced !== undefined) {
      io.out(
        `${CLIENTS[id].label} now runs them through the "switchboard" entry (backup: ${outcome.replaced.backup ?? 'none'}); next: ${outcome.replaced.reload}\n`,
      );
    }
    const commands = plan.servers.filter((p) => 'command' in p.server).map((p) => p.name);
    if (commands.length > 0) {
      io.out(
        `each command runs once you approve it here: switchboard server approve ${commands.length === 1 ? commands[0] : 'NAME'} (${commands.join(', ')})\n`,
      );
    }
    return 0;
  },
};

export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'Check a client as it would connect: its file, our entry, the command or URL, the tools it gets.',
  usage: 'switchboard doctor CLIENT [--scope user|project] [--project DIR] [--json]',
  options: TARGET_OPTIONS,
  allowPositionals: true,
  async run(args, global, io) {
    const id = clientArg(args, this.usage);
    const report = await (await services(global, io)).doctor.run(id, targetOf(args));
    if (global.json) {
      io.out(JSON.stringify(report, null, 2) + '\n');
      return report.ok ? 0 : 1;
    }
    for (const c of report.checks) io.out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
    if (report.tools !== undefined && report.tools.length > 0) io.out(`tools: ${report.tools.join(', ')}\n`);
    return report.ok ? 0 : 1;
  },
};
