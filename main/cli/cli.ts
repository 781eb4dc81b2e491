// `switchboard`: finds the command named by the leading words, applies the global options, runs it, and turns
// every failure into one line and a non-zero exit code.
import { homedir } from 'node:os';
import { resolveDataDir } from '../paths/data-dir.ts';
import { UsageError, parseCommandArgs, type CliIo, type Command } from './command.ts';
import { auditCommand, auditExportCommand, auditShowCommand, auditVerifyCommand } from './commands/audit.ts';
import { bridgeCommand } from './commands/bridge.ts';
import { clientsCommand, connectCommand, disconnectCommand, doctorCommand, importCommand } from './commands/clients.ts';
import { logsCommand } from './commands/logs.ts';
import { POLICY_COMMANDS } from './commands/policy.ts';
import { serveCommand } from './commands/serve.ts';
import {
  serverAddCommand,
  serverListCommand,
  serverRemoveCommand,
  serverRestartCommand,
  serverStartCommand,
} from './commands/server.ts';
import { serverApproveCommand, serverDeclineCommand } from './commands/server-approval.ts';
import { serverLoginCommand } from './commands/server-login.ts';
import { secretListCommand, secretRemoveCommand, secretSetCommand } from './commands/secret.ts';
import { statusCommand } from './commands/status.ts';
import { TEAM_SERVER_COMMANDS } from './commands/team-server.ts';
import { toolApproveCommand, toolPinsCommand } from './commands/tool-pins.ts';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './commands/token.ts';
import { toolsLintCommand } from './commands/tools.ts';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  statusCommand,
  serverAddCommand,
  serverListCommand,
  serverRemoveCommand,
  serverRestartCommand,
  serverStartCommand,
  serverLoginCommand,
  serverApproveCommand,
  serverDeclineCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  secretSetCommand,
  secretListCommand,
  secretRemoveCommand,
  logsCommand,
  toolsLintCommand,
  auditCommand,
  auditShowCommand,
  auditVerifyCommand,
  auditExportCommand,
  bridgeCommand,
  clientsCommand,
  connectCommand,
  disconnectCommand,
  importCommand,
  doctorCommand,
  ...POLICY_COMMANDS,
  toolPinsCommand,
  toolApproveCommand,
  ...TEAM_SERVER_COMMANDS,
];

const GLOBAL_HELP = `Options for every command:
  --data-dir DIR   where config.json, tokens and logs live (else $SWITCHBOARD_HOME, else the OS app-data folder)
  --json           print data as JSON
  --help           show help`;

function overview(): string {
  const lines = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(16)} ${c.summary}`);
  return `switchboard: run MCP servers like production services.\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}\n`;
}

/** Splits the global options out of argv; they may stand anywhere before a literal `--`. */
function takeGlobals(argv: readonly string[]): { rest: string[]; dataDir?: string; json: boolean; help: boolean } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--data-dir') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--data-dir needs a directory');
      dataDir = value;
      i += 1;
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else rest.push(arg);
  }
  return { rest, ...(dataDir === undefined ? {} : { dataDir }), json, help };
}

/** The commands under a first word such as `server` or `token`; empty when the word is not a group. */
function groupOf(word: string | undefined): Command[] {
  return word === undefined ? [] : COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === word);
}

function findCommand(words: readonly string[]): { command: Command; args: string[] } | null {
  let best: Command | null = null;
  for (const command of COMMANDS) {
    const matches = command.path.every((w, i) => words[i] === w);
    if (matches && (best === null || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, args: words.slice(best.path.length) } : null;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const globals = takeGlobals(argv);
    const found = findCommand(globals.rest);
    if (found === null) {
      const group = groupOf(globals.rest[0]);
      if (group.length > 0 && (globals.help || globals.rest.length === 1)) {
        const lines = group.map((c) => `  ${c.usage.split('\n')[0]}\n      ${c.summary}`);
        io.out(`switchboard ${globals.rest[0]}: one of\n${lines.join('\n')}\n\n${GLOBAL_HELP}\n`);
        return globals.help ? 0 : 2;
      }
      if (globals.rest.length === 0 || globals.help) {
        io.out(overview());
        return globals.rest.length === 0 && !globals.help ? 2 : 0;
      }
      if (group.length > 0) {
        const subcommands = group.map((c) => c.path[1]).join(', ');
        throw new UsageError(
          `unknown command "${globals.rest[0]} ${globals.rest[1]}"; "${globals.rest[0]}" takes one of: ${subcommands}`,
        );
      }
      const word = globals.rest.filter((w) => !w.startsWith('-')).join(' ');
      throw new UsageError(`unknown command "${word}"; run switchboard --help for the list`);
    }
    const { command, args } = found;
    if (globals.help) {
      io.out(`${command.summary}\n\nUsage: ${command.usage}\n\n${GLOBAL_HELP}\n`);
      return 0;
    }
    const parsed = parseCommandArgs(command, args);
    const dataDir = resolveDataDir({
      flag: globals.dataDir,
      env: io.env,
      platform: process.platform,
      homedir: homedir(),
      // A relative directory is made absolute once, so serve, the CLI and the control socket all name the same one.
      cwd: process.cwd(),
    });
    return await command.run(parsed, { dataDir, json: globals.json }, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`switchboard: ${error.message}\n`);
      return 2;
    }
    io.err(`switchboard: ${(error as Error).message}\n`);
    return 1;
  }
}
