// `switchboard tools lint [SERVER] [--json]`: the tool lint (policy/tool-lint.ts) of every configured server's
// tools, or one server's. It reads the tool lists the gateway keeps on disk (`<dataDir>/lists/`, list-store.ts),
// which a running serve rewrites within moments of any list changing, so it answers the same whether or not serve
// runs and starts no server. A server never listed yet is named with what to do. Tools that the config's
// `policy.toolQuality` blocks are marked. Exits 1 when any finding is an error, so scripts and CI can gate on it.
import { loadConfig } from '../../config/load-config.ts';
import { formatProblem } from '../../config/config-problems.ts';
import { ListStore } from '../../gateway/aggregate/list-store.ts';
import { createLogger } from '../../log/logger.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { blockingFindings, lintServerTools, type ToolLint } from '../../policy/tool-lint.ts';
import { TOOL_LINT_RULES } from '../../policy/tool-lint-rules.ts';
import { UsageError, type Command } from '../command.ts';

const RULE_LINES = Object.entries(TOOL_LINT_RULES)
  .map(([id, rule]) => `    ${id.padEnd(26)} ${rule.severity.padEnd(8)} ${rule.summary}`)
  .join('\n');

export type ServerLintReport =
  | {
      readonly server: string;
      readonly listed: true;
      readonly tools: readonly (ToolLint & { readonly blockedBy: readonly string[] })[];
    }
  | { readonly server: string; readonly listed: false; readonly reason: string };

export const toolsLintCommand: Command = {
  path: ['tools', 'lint'],
  summary: "Check servers' tool definitions for what makes models misuse them (descriptions, types, names).",
  usage: `switchboard tools lint [SERVER] [--json]
  Reads the tool lists the gateway last saw (whether or not serve runs); a server never started has none yet.
  Exits 1 when a finding is an error. policy.toolQuality in config.json hides and refuses tools that fail chosen
  rules (docs/policy.md, "Tool lint"). The rules:
${RULE_LINES}`,
  options: {},
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length > 1)
      throw new UsageError(`expected at most one server name; usage: ${this.usage.split('\n')[0]}`);
    const paths = dataDirPaths(global.dataDir);
    const loaded = await loadConfig(paths.config);
    if (!loaded.ok) {
      for (const problem of loaded.problems) io.err(`config.json: ${formatProblem(problem)}\n`);
      return 1;
    }
    const { config } = loaded;
    const configured = Object.keys(config.servers);
    const wanted = args.positionals[0];
    if (wanted !== undefined && !configured.includes(wanted)) {
      io.err(`tools lint: no server named "${wanted}"; configured: ${configured.join(', ') || 'none'}\n`);
      return 1;
    }
    const store = new ListStore({
      dir: paths.lists,
      logger: createLogger({ level: 'warn', write: (line) => io.err(line) }),
    });
    await store.load();
    const tools = store.view('tools');
    const bar = config.policy.toolQuality;
    const reports: ServerLintReport[] = (wanted === undefined ? configured : [wanted]).map((server) => {
      const listed = tools.load(server);
      if (listed === undefined) {
        return {
          server,
          listed: false,
          reason: `its tools were never listed; start it (switchboard server start ${server}) or run switchboard serve, then try again`,
        };
      }
      const linted = lintServerTools(server, config.gateway.toolSeparator, listed).map((l) => ({
        ...l,
        blockedBy: bar === undefined ? [] : [...new Set(blockingFindings(l.findings, bar).map((f) => f.rule))],
      }));
      return { server, listed: true, tools: linted };
    });
    const errors = reports.some((r) => r.listed && r.tools.some((t) => t.findings.some((f) => f.severity === 'error')));
    if (global.json) {
      io.out(JSON.stringify({ source: 'list-cache', servers: reports }, null, 2) + '\n');
      return errors ? 1 : 0;
    }
    for (const report of reports) io.out(describeReport(report));
    return errors ? 1 : 0;
  },
};

function describeReport(report: ServerLintReport): string {
  if (!report.listed) return `${report.server}: not checked: ${report.reason}\n`;
  const findings = report.tools.flatMap((t) => t.findings);
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  const lines = [
    `${report.server}: ${report.tools.length} tool(s); ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)`,
  ];
  for (const tool of report.tools) {
    for (const f of tool.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.rule.padEnd(26)} ${f.message}`);
    if (tool.blockedBy.length > 0) {
      lines.push(
        `  ${tool.exposed} is hidden and its calls refused by policy.toolQuality (${tool.blockedBy.join(', ')})`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
