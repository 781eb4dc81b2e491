// `switchboard server approve|decline`: a server that came from an import, a team policy or a link starts only once
// a person has seen its exact command and approved it (T77). `approve NAME` shows the command verbatim with its
// risky parts named, and the line that approves exactly that command (its fingerprint); a command that changes in
// between is not approved by an old line. `decline NAME` disables the server, so it is never spawned.
import { loadConfig } from '../../config/load-config.ts';
import type { ConfigInput } from '../../config/schema.ts';
import { updateConfig } from '../../config/update-config.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { commandFingerprint, commandRisks, commandShown } from '../../supervisor/command-approval.ts';
import { stringOption, type CliIo, type Command } from '../command.ts';
import { oneName, printProblems } from './server.ts';

export const serverApproveCommand: Command = {
  path: ['server', 'approve'],
  summary: 'Show the exact command of a server from an import, team policy or link, and approve it to run.',
  usage: 'switchboard server approve NAME [--fingerprint sha256:...]',
  options: { fingerprint: { type: 'string' } },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const loaded = await loadConfig(dataDirPaths(global.dataDir).config);
    if (!loaded.ok) return printProblems(io, loaded.problems);
    const server = loaded.config.servers[name];
    if (server === undefined) {
      io.err(`no server named "${name}"\n`);
      return 1;
    }
    if (server.transport !== 'stdio') {
      io.err(`"${name}" is a remote server; approval is for commands run on this machine\n`);
      return 1;
    }
    const fingerprint = commandFingerprint(server);
    const shown = commandShown(server);
    const risks = commandRisks(server);
    const given = stringOption(args, 'fingerprint');
    if (given === undefined) {
      if (global.json) {
        io.out(JSON.stringify({ name, origin: server.origin, ...shown, risks, fingerprint }) + '\n');
        return 0;
      }
      showCommand(io, name, server.origin, shown, risks);
      if (server.origin === 'user') io.out('It was added on this machine and needs no approval.\n');
      else if (server.approvedCommand === fingerprint) io.out('This command is approved.\n');
      else
        io.out(`To let it run, exactly as shown:\n  switchboard server approve ${name} --fingerprint ${fingerprint}\n`);
      return 0;
    }
    if (given !== fingerprint) {
      io.err(
        `the command of "${name}" is not the one that fingerprint approves (it changed, or the fingerprint is mistyped); run \`switchboard server approve ${name}\` to see it as it is now\n`,
      );
      return 1;
    }
    const result = await updateConfig(global.dataDir, (draft: ConfigInput) => {
      const entry = draft.servers?.[name];
      if (entry === undefined || !('command' in entry)) return new Error(`no stdio server named "${name}"`);
      return { ...draft, servers: { ...draft.servers, [name]: { ...entry, approvedCommand: fingerprint } } };
    });
    if (!result.ok) return printProblems(io, result.problems);
    io.out(
      global.json ? JSON.stringify({ approved: name, fingerprint }) + '\n' : `approved the command of "${name}"\n`,
    );
    return 0;
  },
};

export const serverDeclineCommand: Command = {
  path: ['server', 'decline'],
  summary: 'Refuse the command of a server from an import, team policy or link: it is disabled and never run.',
  usage: 'switchboard server decline NAME',
  options: {},
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const result = await updateConfig(global.dataDir, (draft: ConfigInput) => {
      const entry = draft.servers?.[name];
      if (entry === undefined) return new Error(`no server named "${name}"`);
      const { approvedCommand: _dropped, ...rest } = entry as typeof entry & { approvedCommand?: string };
      return { ...draft, servers: { ...draft.servers, [name]: { ...rest, enabled: false } } };
    });
    if (!result.ok) return printProblems(io, result.problems);
    io.out(global.json ? JSON.stringify({ declined: name }) + '\n' : `declined "${name}": it is disabled\n`);
    return 0;
  },
};

function showCommand(
  io: CliIo,
  name: string,
  origin: string,
  shown: ReturnType<typeof commandShown>,
  risks: ReturnType<typeof commandRisks>,
): void {
  io.out(`Server "${name}" (from: ${origin}) runs:\n`);
  shown.argv.forEach((arg, index) =>
    io.out(`  ${index === 0 ? 'command ' : `arg ${index}`.padEnd(8)} ${JSON.stringify(arg)}\n`),
  );
  io.out(`  env      ${shown.env.length === 0 ? '(none)' : shown.env.join(', ')}\n`);
  io.out(`  cwd      ${shown.cwd ?? '(not set)'}\n`);
  if (risks.length === 0) io.out('Nothing in it looks risky; read it all the same.\n');
  for (const risk of risks) io.out(`  ! ${risk.where}: ${risk.what}\n`);
}
