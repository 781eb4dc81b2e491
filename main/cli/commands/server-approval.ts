// `switchboard server approve|decline`: a server that came from an import, a team policy or a link starts only once
// a person has seen its exact command and approved it (T77). `approve NAME` shows the command verbatim with its
// risky parts named, and the line that approves exactly that command (its fingerprint); a command that changes in
// between is not approved by an old line. `decline NAME` disables the server, so it is never spawned.
import { loadConfig } from '../../config/load-config.ts';
import { approveCommand, declineCommand, reviewCommand, type ApprovalReview } from '../../config/server-approval.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
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
    const reviewed = reviewCommand(loaded.config, name);
    if (!reviewed.ok) {
      io.err(`${reviewed.error}\n`);
      return 1;
    }
    const { review } = reviewed;
    const given = stringOption(args, 'fingerprint');
    if (given === undefined) {
      if (global.json) {
        io.out(JSON.stringify(review) + '\n');
        return 0;
      }
      showCommand(io, review);
      if (review.origin === 'user') io.out('It was added on this machine and needs no approval.\n');
      else if (review.approved) io.out('This command is approved.\n');
      else {
        io.out(
          `To let it run, exactly as shown:\n  switchboard server approve ${name} --fingerprint ${review.fingerprint}\n`,
        );
      }
      return 0;
    }
    const result = await approveCommand(global.dataDir, name, given);
    if (!result.ok) return printProblems(io, result.problems);
    io.out(
      global.json
        ? JSON.stringify({ approved: name, fingerprint: given }) + '\n'
        : `approved the command of "${name}"\n`,
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
    const result = await declineCommand(global.dataDir, name);
    if (!result.ok) return printProblems(io, result.problems);
    io.out(global.json ? JSON.stringify({ declined: name }) + '\n' : `declined "${name}": it is disabled\n`);
    return 0;
  },
};

function showCommand(io: CliIo, review: ApprovalReview): void {
  const shown = review;
  io.out(`Server "${review.name}" (from: ${review.origin}) runs:\n`);
  shown.argv.forEach((arg, index) =>
    io.out(`  ${index === 0 ? 'command ' : `arg ${index}`.padEnd(8)} ${JSON.stringify(arg)}\n`),
  );
  io.out(`  env      ${shown.env.length === 0 ? '(none)' : shown.env.join(', ')}\n`);
  io.out(`  cwd      ${shown.cwd ?? '(not set)'}\n`);
  if (review.risks.length === 0) io.out('Nothing in it looks risky; read it all the same.\n');
  for (const risk of review.risks) io.out(`  ! ${risk.where}: ${risk.what}\n`);
}
