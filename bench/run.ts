// `npm run bench [-- --quick] [-- --json FILE] [-- --soak-minutes N] [-- --mix-calls N]`: tools/call latency,
// throughput, gateway CPU per call and memory for a direct stdio connection, the SDK's own HTTP server, Switchboard
// and its peers, all in one run; the ratios the gateway is held to; then the audit trail, team ingestion, on-demand servers,
// start-up, a realistic mix and a memory soak. Not part of `npm test`: it takes minutes and its numbers depend on
// the machine.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareTargets, type TargetResult } from './compare.ts';
import { FULL_PLAN, QUICK_PLAN, type Plan } from './plan.ts';
import { buildReport, formatReport, writeJson } from './report.ts';
import { httpFloor } from './targets/http-floor.ts';
import { stdioDirect } from './targets/stdio-direct.ts';
import { supergateway } from './targets/supergateway.ts';
import { switchboard, type SwitchboardTarget } from './targets/switchboard.ts';
import type { Target } from './targets/target.ts';
import { REPO_ROOT } from './paths.ts';
import { coreMemoryWithServers } from './ten-servers.ts';
import { formatAudit } from './audit.ts';
import { benchAuditAsServe } from './audit-process.ts';
import { benchTeamIngest, formatTeamIngest } from './team-ingest.ts';
import { benchTeamQuery, formatTeamQuery, type TeamQueryBenchResult } from './team-query.ts';
import { postgresMissing } from '../test/helpers/postgres.ts';
import { benchOnDemand, formatOnDemand } from './on-demand.ts';
import { benchStartup, formatStartup } from './startup.ts';
import { benchMix, formatMix, parseMixCalls } from './mix.ts';
import { benchSoak, formatSoak, parseSoakMinutes } from './soak.ts';
import { mcpProxy, mcpProxyVersion } from './targets/mcp-proxy.ts';

const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

const USAGE = `usage: node bench/run.ts [--quick] [--json FILE] [--soak-minutes N] [--mix-calls N]
  --quick             a smoke run with few calls (a few minutes); its ratios are not a measurement
  --json FILE         also write the rows and checks as JSON to FILE
  --soak-minutes N    length of the memory soak (default ${FULL_PLAN.soakMinutes}, ${QUICK_PLAN.soakMinutes} with --quick;
                      its target is set for 10)
  --mix-calls N       calls in the realistic mix (default ${FULL_PLAN.mixCalls}, ${QUICK_PLAN.mixCalls} with --quick)
  --fresh             seed the team query's PostgreSQL trail again instead of reusing .bench-cache/
`;

// Measure what users run: serve runs from a fresh build in dist/ rather than from the TypeScript sources (type
// stripping costs ~25 MB of memory that an installed package never pays). Built here, so a stale dist/ is never
// what gets measured.
if (process.env.SWITCHBOARD_DIST === undefined) {
  const build = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('bench: building dist/ failed (tsc -p tsconfig.build.json); fix the build first\n');
    process.exit(1);
  }
  process.env.SWITCHBOARD_DIST = '1';
}

const started = performance.now();
const log = (message: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  let options: { json: string | undefined; fresh: boolean; plan: Plan };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        'soak-minutes': { type: 'string' },
        'mix-calls': { type: 'string' },
        fresh: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    const base = values.quick ? QUICK_PLAN : FULL_PLAN;
    const soak = values['soak-minutes'];
    const mix = values['mix-calls'];
    options = {
      json: values.json,
      fresh: values.fresh,
      plan: {
        ...base,
        soakMinutes: soak === undefined ? base.soakMinutes : parseSoakMinutes(soak),
        mixCalls: mix === undefined ? base.mixCalls : parseMixCalls(mix),
      },
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('the benchmark reads CPU time and memory from /proc, so it runs on Linux only\n');
    return 2;
  }
  const plan = options.plan;
  const loadAtStart = loadavg()[0]!;

  const targets: Target[] = [];
  const stopAll = (): Promise<unknown> => Promise.all(targets.splice(0).map((t) => t.stop().catch(() => {})));
  const interrupted = (): void => {
    log('interrupted; stopping every process the benchmark started');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let results: TargetResult[];
  let auditedCalls: number;
  const notes: string[] = [];
  const proxy = mcpProxyVersion();
  if (!proxy.ok) notes.push(proxy.why);
  try {
    log(
      `starting: stdio-direct, http-floor, switchboard, supergateway${proxy.ok ? `, mcp-proxy ${proxy.version}` : ''}`,
    );
    targets.push(stdioDirect(), await httpFloor());
    const sb: SwitchboardTarget = await switchboard({ servers: ['echo'] });
    targets.push(sb, await supergateway());
    if (proxy.ok) targets.push(await mcpProxy());
    results = await compareTargets(targets, plan, log);
    targets.splice(targets.indexOf(sb), 1);
    auditedCalls = await sb.stopAndCountAudit();
  } finally {
    await stopAll();
  }
  log(`switchboard with ${plan.rssServers} servers: peak RSS of the core`);
  const tenServers = await coreMemoryWithServers(plan);

  const auditBench = await benchAuditAsServe(plan.quick ? 100_000 : 1_000_000, log);
  const teamIngest = await benchTeamIngest(plan.quick ? 4 : 12, log);
  // The team server's page needs a PostgreSQL; without one the run says so and goes on.
  const pgMissing = postgresMissing();
  let teamQuery: TeamQueryBenchResult | null = null;
  if (pgMissing === null)
    teamQuery = await benchTeamQuery(plan.quick ? 1_000_000 : 10_000_000, log, { fresh: options.fresh });
  else notes.push(`team query: skipped, ${pgMissing}`);
  const onDemand = await benchOnDemand(plan.quick ? 50 : 500, log);
  const startup = await benchStartup(plan.startupServers, plan.startupRuns, log);
  const mix = await benchMix(plan.mixCalls, log);
  const soak = await benchSoak(plan.soakMinutes, log);
  const report = buildReport(
    results,
    tenServers,
    auditedCalls,
    plan.quick,
    { start: loadAtStart, end: loadavg()[0]! },
    notes,
  );
  process.stdout.write(formatReport(report));
  process.stdout.write(formatAudit(auditBench));
  process.stdout.write(formatTeamIngest(teamIngest));
  if (teamQuery !== null) process.stdout.write(formatTeamQuery(teamQuery));
  process.stdout.write(formatOnDemand(onDemand));
  process.stdout.write(formatStartup(startup));
  process.stdout.write(formatMix(mix));
  process.stdout.write(formatSoak(soak));
  if (options.json !== undefined) {
    await writeJson(options.json, {
      ...report,
      audit: auditBench,
      teamIngest,
      teamQuery,
      onDemand,
      startup,
      mix,
      soak,
    });
    log(`wrote ${options.json}`);
  }
  log('done');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
