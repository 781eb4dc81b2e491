// `switchboard tools pins|approve`: review and approve tool definitions that changed since approval (T28). With
// `serve` running both go through its control socket, so the running gateway shows the tool again at once;
// without it they read and write tool-pins.json, which the next `serve` loads.
import { controlRequest } from '../../control/control-client.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { formatDiff } from '../../pins/definition-diff.ts';
import { readPinFile, writePinFile } from '../../pins/pin-store.ts';
import { pinsReport, type PinsReport } from '../../pins/pins-report.ts';
import { approveIn, type ApproveResult } from '../../pins/tool-pins.ts';
import { loadConfig } from '../../config/load-config.ts';
import { describeFlag } from '../../policy/description-scan.ts';
import { UsageError, type CliIo, type Command, type GlobalOptions } from '../command.ts';

/** The separator of exposed names, which the scan looks for; the default when config.json cannot be read. */
async function separatorOf(dataDir: string): Promise<string> {
  const config = await loadConfig(dataDirPaths(dataDir).config);
  return config.ok ? config.config.gateway.toolSeparator : '__';
}

async function readReport(global: GlobalOptions, server: string | null): Promise<PinsReport> {
  const query = server === null ? '' : `?server=${encodeURIComponent(server)}`;
  const live = await controlRequest<PinsReport>(global.dataDir, 'GET', `/tools/pins${query}`);
  if (live.ok) return live.value;
  if (!live.notRunning) throw new Error(`the running gateway did not answer: ${live.error}`);
  const read = await readPinFile(dataDirPaths(global.dataDir).toolPins);
  if (!read.ok) return { error: read.error, tools: [] };
  return pinsReport(read.pins, server, await separatorOf(global.dataDir));
}

function printReport(report: PinsReport, io: CliIo): void {
  if (report.tools.length === 0) io.out('no pinned tools match\n');
  for (const t of report.tools) {
    const state = t.changed === null ? 'approved' : `CHANGED since approval (seen ${t.changed.seenAt}); hidden`;
    io.out(`${t.server} ${t.tool}  ${state}\n  approved ${t.approvedAt}: ${t.hash}\n`);
    if (t.changed !== null) {
      io.out(`  now: ${t.changed.hash}\n`);
      for (const line of formatDiff(t.changed.diff)) io.out(`    ${line}\n`);
    }
    for (const flag of t.flags) io.out(`  flag ${describeFlag(flag)}\n`);
  }
}

export const toolPinsCommand: Command = {
  path: ['tools', 'pins'],
  summary: 'Show pinned tool definitions, changes waiting for approval (as a diff) and description flags.',
  usage: 'switchboard tools pins [SERVER] [--changed] [--json]',
  options: { changed: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length > 1) throw new UsageError(`expected at most one server name; usage: ${this.usage}`);
    const report = await readReport(global, args.positionals[0] ?? null);
    const tools = args.values.changed === true ? report.tools.filter((t) => t.changed !== null) : report.tools;
    if (global.json) io.out(JSON.stringify({ ...report, tools }, null, 2) + '\n');
    else if (report.error === null) printReport({ ...report, tools }, io);
    if (report.error !== null) {
      if (!global.json) io.err(`tools pins: ${report.error}\n`);
      return 1;
    }
    return 0;
  },
};

/** Approves through the running gateway, or in tool-pins.json when it does not run. */
async function approve(global: GlobalOptions, server: string, tools: readonly string[] | null): Promise<ApproveResult> {
  const query = [`server=${encodeURIComponent(server)}`, ...(tools ?? []).map((t) => `tool=${encodeURIComponent(t)}`)];
  const live = await controlRequest<{ approved: string[] }>(
    global.dataDir,
    'POST',
    `/tools/approve?${query.join('&')}`,
  );
  if (live.ok) return { ok: true, approved: live.value.approved };
  if (!live.notRunning) return { ok: false, status: 0, error: live.error };
  const file = dataDirPaths(global.dataDir).toolPins;
  const read = await readPinFile(file);
  if (!read.ok) return { ok: false, status: 0, error: read.error };
  const pinned = read.pins.get(server);
  if (pinned === undefined) return { ok: false, status: 404, error: `no pinned tools of a server "${server}"` };
  const result = approveIn(pinned, server, tools);
  if (result.ok && result.approved.length > 0) await writePinFile(file, read.pins);
  return result;
}

export const toolApproveCommand: Command = {
  path: ['tools', 'approve'],
  summary: "Approve a server's changed tool definitions (review them first: switchboard tools pins --changed).",
  usage: 'switchboard tools approve SERVER (TOOL... | --all)',
  options: { all: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, global, io) {
    const [server, ...tools] = args.positionals;
    if (server === undefined) throw new UsageError(`expected a server name; usage: ${this.usage}`);
    const all = args.values.all === true;
    if (all === tools.length > 0) {
      throw new UsageError(`name the tools to approve, or give --all (not both); usage: ${this.usage}`);
    }
    const result = await approve(global, server, all ? null : tools);
    if (!result.ok) {
      io.err(`tools approve: ${result.error}\n`);
      return 1;
    }
    if (global.json) io.out(JSON.stringify({ server, approved: result.approved }) + '\n');
    else if (result.approved.length === 0) io.out(`no changed definitions of "${server}" to approve\n`);
    else io.out(`approved ${result.approved.map((t) => `${server} ${t}`).join(', ')}\n`);
    return 0;
  },
};
