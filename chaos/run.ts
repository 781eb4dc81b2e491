// `npm run chaos [-- --quick] [-- --json FILE] [-- --seed N]`: a real `switchboard serve` with nine stdio servers
// (healthy ones, victims, one that hangs, two that flood stdout and stderr, one that answers malformed or huge
// messages), driven by several SDK clients while faults strike: upstreams killed with -9, clients dropping calls
// and never reading streams, the data directory read-only and then its disk full for a while, the team policy
// endpoint failing, serve itself killed with -9 and restarted. It checks that serve never crashes, every call ends
// within its timeout, healthy servers see no errors, every answered call is in the audit trail, the team policy
// stays in force and memory comes back; prints a table, and exits 1 when any check fails.
// Loopback only; not part of `npm test`. The seed (printed; SWITCHBOARD_CHAOS_SEED or --seed) replays the choices.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { memory } from '../bench/proc.ts';
import { Prng } from '../test/helpers/prng.ts';
import { runCli } from '../main/cli/cli.ts';
import { controlRequest } from '../main/control/control-client.ts';
import type { StatusReport } from '../main/core/status-report.ts';
import type { TeamPolicyView } from '../preload/contract.ts';
import { teamPaths, writeEnrollment } from '../main/team-policy/enrollment.ts';
import { checkAudit } from './audit-check.ts';
import { fillDisk, mountDataDisk } from './data-disk.ts';
import {
  chmodIsEffective,
  disconnectMidCall,
  killRandomUpstream,
  makeReadOnly,
  neverRead,
  type FaultCounts,
} from './faults.ts';
import { LoadClient, type CallRecord } from './load.ts';
import { CHAOS_TEAM, PolicyFeed } from './policy-feed.ts';
import { FULL_PLAN, QUICK_PLAN, type ChaosPlan } from './plan.ts';
import { formatReport, groupRows, overlaps, writeJson, type Check, type ChaosReport, type Window } from './report.ts';
import { CALL_LIMIT_MS, ServeProcess, SERVERS, freePort, prepareDataDir } from './serve-process.ts';

const USAGE = `usage: node chaos/run.ts [--quick] [--json FILE] [--seed N] [--keep]
  --quick      about a minute instead of about five
  --json FILE  also write the rows, faults and checks as JSON to FILE
  --seed N     replay the random choices of an earlier run (also SWITCHBOARD_CHAOS_SEED)
  --keep       keep the data directory (its logs and audit trail) and print where it is
`;

/** A call may take the gateway's total call limit plus this before it counts as overdue (a busy machine's slack). */
const OVERDUE_MARGIN_MS = 5_000;
/** serve's RSS after the quiet period may exceed the warm baseline by this much, or by half of it if more. */
const RSS_MARGIN_MIB = 64;

const started = performance.now();
const log = (message: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
};

interface Options {
  readonly plan: ChaosPlan;
  readonly json: string | undefined;
  readonly seed: number;
  readonly keep: boolean;
}

function parseOptions(argv: readonly string[]): Options | string | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        seed: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help === true) return null;
  const given = values.seed ?? process.env.SWITCHBOARD_CHAOS_SEED;
  const seed = given === undefined || given === '' ? Math.floor(Math.random() * 0x100000000) : Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `--seed takes 0 to 4294967295, got "${given}"`;
  return { plan: values.quick ? QUICK_PLAN : FULL_PLAN, json: values.json, seed, keep: values.keep };
}

/**
 * Enrolls the data directory with the chaos feed and syncs once before serve starts, as a member would: serve
 * starts with the team's document in force rather than refusing calls until its first poll.
 */
async function enroll(dataDir: string, feed: PolicyFeed): Promise<void> {
  await feed.publish(1);
  await feed.publish(2);
  const written = await writeEnrollment(teamPaths(dataDir), {
    url: feed.url,
    publicKey: feed.publicKey,
    team: CHAOS_TEAM,
    pollMs: 1_000,
    timeoutMs: 1_000,
  });
  if (!written.ok) throw new Error(`could not enroll the chaos data directory: ${written.error}`);
  let err = '';
  const code = await runCli(['--data-dir', dataDir, 'policy', 'sync'], {
    out: () => {},
    err: (s) => (err += s),
    env: process.env,
  });
  if (code !== 0) throw new Error(`switchboard policy sync failed before the run: ${err}`);
}

/** The team policy serve reports now; null while it does not answer. */
async function teamPolicyNow(dataDir: string): Promise<TeamPolicyView | null> {
  const status = await controlRequest<StatusReport>(dataDir, 'GET', '/status');
  return status.ok ? (status.value.teamPolicy ?? null) : null;
}

function rssMiB(serve: ServeProcess): number {
  return memory(serve.pid!).rssMb;
}

/** Runs `action` every `everyMs` until stopped; an action's failure is the fault's, never the run's. */
function every(everyMs: number, action: () => unknown): () => void {
  const timer = setInterval(() => {
    void (async () => action())().catch(() => {});
  }, everyMs);
  return () => clearInterval(timer);
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n${USAGE}`);
    return 2;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('the chaos run reads memory from /proc, so it runs on Linux only\n');
    return 2;
  }
  const { plan, seed } = parsed;
  const prng = new Prng(seed);
  const notes: string[] = [];
  const loadAtStart = loadavg()[0]!;
  log(`chaos ${plan.name}, seed ${seed} (replay with --seed ${seed})`);

  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-chaos-'));
  const disk = mountDataDisk(dataDir);
  if (!disk.ok) notes.push(`${disk.reason}: the full-disk fault was skipped`);
  const unmount = (): void => {
    if (disk.ok && !parsed.keep) disk.unmount();
  };
  const token = await prepareDataDir(dataDir);
  const feed = await PolicyFeed.start();
  await enroll(dataDir, feed);
  const serve = new ServeProcess(dataDir, await freePort());
  const interrupted = (): void => {
    log('interrupted; stopping serve');
    void serve.stop().then(() => {
      unmount();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    log(`starting serve on ${serve.url} with ${SERVERS.length} servers`);
    await serve.start();

    const records: CallRecord[] = [];
    const faults: FaultCounts = {
      upstreamKills: 0,
      disconnects: 0,
      nonReaders: 0,
      readOnlyMs: 0,
      diskFullMs: 0,
      diskFillBytes: 0,
      feedFaults: 0,
    };
    /** Samples, once a second while the feed is down, in which serve did not enforce the last good document. */
    const policyLapses: string[] = [];
    let policySamples = 0;
    let restarting = false;
    const outages: Window[] = [];
    const restartMs: number[] = [];
    let serveKills = 0;
    let baselineMiB = 0;
    const readOnlyEffective = chmodIsEffective();
    if (!readOnlyEffective) {
      notes.push(
        'running as root: chmod cannot stop root from writing, so the read-only data directory fault was skipped',
      );
    }

    const t0 = performance.now();
    const until = t0 + plan.loadMs;
    const clients = Array.from(
      { length: plan.clients },
      (_, i) => new LoadClient(serve.url, token, `chaos-${i}`, prng, records),
    );
    log(`load: ${plan.clients} clients x ${plan.loopsPerClient} calls in flight for ${plan.loadMs / 1000} s`);
    const load = Promise.all(clients.map((c) => c.run(plan.loopsPerClient, until)));

    const victims = SERVERS.filter((s) => s.group === 'victim').map((s) => s.name);
    const stops = [
      every(plan.upstreamKillEveryMs, async () => {
        if (serve.running && (await killRandomUpstream(dataDir, victims, prng))) faults.upstreamKills += 1;
      }),
      every(plan.disconnectEveryMs, () => {
        if (!serve.running) return;
        disconnectMidCall(serve.port, token, 100 + prng.int(400));
        faults.disconnects += 1;
      }),
      every(plan.nonReaderEveryMs, () => {
        if (!serve.running) return;
        neverRead(serve.port, token, 3_000);
        faults.nonReaders += 1;
      }),
      // A crash is any exit the run did not cause: counted (the check fails) and serve started again to go on.
      every(500, async () => {
        if (serve.running || serve.exits.at(-1)?.deliberate !== false) return;
        log(`serve exited on its own; stderr:\n${serve.stderrTail()}`);
        await serve.start();
      }),
    ];

    const at = (fraction: number): Promise<void> => sleep(Math.max(0, t0 + fraction * plan.loadMs - performance.now()));
    const schedule = (async () => {
      await sleep(Math.max(0, t0 + plan.warmupMs - performance.now()));
      baselineMiB = rssMiB(serve);
      log(`baseline: serve RSS ${baselineMiB.toFixed(0)} MiB under load`);
      if (readOnlyEffective) {
        await at(plan.readOnly[0]);
        log('data directory read-only');
        const from = performance.now();
        const restore = makeReadOnly(dataDir);
        await at(plan.readOnly[1]);
        restore();
        faults.readOnlyMs = performance.now() - from;
        log('data directory writable again');
      }
      if (disk.ok) {
        await at(plan.diskFull[0]);
        const from = performance.now();
        const filled = fillDisk(dataDir);
        faults.diskFillBytes = filled.bytes;
        log(`data directory's disk full (${Math.round(filled.bytes / 1024 / 1024)} MiB written to fill it)`);
        await at(plan.diskFull[1]);
        filled.release();
        faults.diskFullMs = performance.now() - from;
        log('data directory has space again');
      }
      await at(plan.serveKillAt);
      log('kill -9 serve');
      const killedAt = performance.now();
      restarting = true;
      await serve.kill();
      serveKills += 1;
      await serve.start();
      restarting = false;
      for (const client of clients) client.forget(killedAt);
      const readyAt = performance.now();
      outages.push({ from: killedAt, to: readyAt });
      restartMs.push(readyAt - killedAt);
      log(`serve back after ${Math.round(readyAt - killedAt)} ms`);
    })();

    // The team's feed fails every poll for a while; serve must keep the version it has in force throughout (a
    // sample taken while serve itself is being restarted does not count), then take a newer one once it recovers.
    const feedSchedule = (async () => {
      await at(plan.feedDown[0]);
      feed.setFailing(true);
      log('team policy endpoint failing');
      const appliedVersion = feed.version;
      while (performance.now() < t0 + plan.feedDown[1] * plan.loadMs) {
        await sleep(1_000);
        if (!serve.running || restarting) continue;
        const policy = await teamPolicyNow(dataDir);
        if (policy === null) continue;
        policySamples += 1;
        if (policy.enforced !== 'document' || policy.version !== appliedVersion) {
          policyLapses.push(`${policy.state}, version ${policy.version}, enforced ${policy.enforced}`);
        }
      }
      feed.setFailing(false);
      log('team policy endpoint answering again');
      await at(plan.republishAt);
      await feed.publish(appliedVersion + 1);
      log(`team published version ${appliedVersion + 1}`);
    })();

    await Promise.all([load, schedule, feedSchedule]);
    faults.feedFaults = Object.values(feed.served.faults).reduce((sum, n) => sum + n, 0);
    for (const stop of stops) stop();
    const loadEnded = performance.now();
    log(`load done: ${records.length} calls; quiet for ${plan.quietMs / 1000} s`);
    await sleep(plan.quietMs);
    const afterQuietMiB = rssMiB(serve);
    const finalPolicy = await teamPolicyNow(dataDir);
    await serve.stop();
    log(`serve stopped; RSS after the quiet period was ${afterQuietMiB.toFixed(0)} MiB; checking the audit trail`);

    // Calls still unsettled now were never answered in time; a call that settled late is overdue too.
    const isOverdue = (r: CallRecord): boolean =>
      (r.endedAt ?? loadEnded + plan.quietMs) - r.startedAt > CALL_LIMIT_MS + OVERDUE_MARGIN_MS;
    const audit = await checkAudit(dataDir, records);
    const rows = groupRows(records, outages, isOverdue);
    const crashes = serve.exits.filter((e) => !e.deliberate);
    const healthyErrors = records.filter((r) => r.group === 'healthy' && r.outcome !== 'ok' && !overlaps(r, outages));
    const answered = records.filter((r) => r.answered).length;
    const limitMiB = baselineMiB + Math.max(RSS_MARGIN_MIB, baselineMiB / 2);
    const checks: Check[] = [
      {
        name: 'serve exits the run did not cause',
        value: String(crashes.length),
        target: '0',
        pass: crashes.length === 0,
      },
      {
        name: `calls not ended within ${CALL_LIMIT_MS + OVERDUE_MARGIN_MS} ms`,
        value: String(records.filter(isOverdue).length),
        target: '0',
        pass: !records.some(isOverdue),
      },
      {
        name: "healthy servers' failed calls (outside serve's restart)",
        value: String(healthyErrors.length),
        target: '0',
        pass: healthyErrors.length === 0,
      },
      {
        name: 'answered calls missing from the audit trail',
        value: `${audit.missing.length} of ${answered}`,
        target: '0',
        pass: audit.missing.length === 0,
      },
      { name: 'audit chain verifies', value: audit.verified ? 'yes' : 'no', target: 'yes', pass: audit.verified },
      {
        name: 'samples without the last good team policy while its endpoint failed',
        value: `${policyLapses.length} of ${policySamples}`,
        target: '0',
        pass: policySamples > 0 && policyLapses.length === 0,
      },
      {
        name: 'team policy version in force at the end',
        value: String(finalPolicy?.version ?? 'none'),
        target: String(feed.version),
        pass: finalPolicy?.version === feed.version && finalPolicy.enforced === 'document',
      },
      {
        name: 'serve RSS after the quiet period (MiB)',
        value: afterQuietMiB.toFixed(0),
        target: `<= ${limitMiB.toFixed(0)} (baseline ${baselineMiB.toFixed(0)})`,
        pass: afterQuietMiB <= limitMiB,
      },
    ];
    for (const error of healthyErrors.slice(0, 5))
      notes.push(
        `healthy call ${error.tag} on ${error.server} at ${((error.startedAt - started) / 1000).toFixed(1)} s: ${error.message}`,
      );
    if (audit.missing.length > 0) notes.push(`missing from the audit trail: ${audit.missing.slice(0, 10).join(', ')}`);
    if (!audit.verified) notes.push(`audit verify: ${audit.verifyOutput}`);
    for (const lapse of policyLapses.slice(0, 5)) notes.push(`team policy while its endpoint failed: ${lapse}`);
    notes.push(
      `policy endpoint faults served: ${Object.entries(feed.served.faults)
        .map(([fault, n]) => `${fault} ${n}`)
        .join(', ')}; alert standing at the end: ${finalPolicy?.lastAlert?.reason ?? 'none'}`,
    );

    const report: ChaosReport = {
      plan: plan.name,
      seed,
      durationS: Math.round((performance.now() - started) / 1000),
      loadavg: { start: loadAtStart, end: loadavg()[0]! },
      rows,
      faults: { ...faults, serveKills, serveRestartMs: restartMs },
      serveExits: serve.exits,
      memory: { baselineMiB, afterQuietMiB, limitMiB },
      audit: { answered, audited: audit.audited, missing: audit.missing, verified: audit.verified },
      checks,
      notes,
    };
    process.stdout.write(formatReport(report));
    if (parsed.json !== undefined) {
      await writeJson(parsed.json, report);
      log(`wrote ${parsed.json}`);
    }
    return checks.every((c) => c.pass !== false) ? 0 : 1;
  } finally {
    await serve.stop();
    await feed.close();
    unmount();
    if (parsed.keep)
      log(`data directory kept: ${dataDir}${disk.ok ? ' (a tmpfs: unmount it with umount when done)' : ''}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
