// A realistic mix (bench/mix-plan.ts): 20 servers whose tools take 1 ms to 2 s and return 100 B to 1 MiB, called
// by 10 SDK clients at once through /mcp, with a policy in force (a few rules, argument constraints and a rate
// limit set far above the load, so every call takes the policy path) and the audit trail on, as it always is.
// Reports throughput, latency per latency class, what the gateway added beyond the tool's own sleep, and errors.
// `node bench/mix.ts [--calls N]` runs this part alone.
import { parseArgs } from 'node:util';
import type { ConfigInput } from '../main/config/schema.ts';
import { latencyOf, type Latency } from './measure.ts';
import { LATENCY_CLASSES_MS, mixPlan, type MixServer } from './mix-plan.ts';
import { MIX_SERVER } from './paths.ts';
import { FULL_PLAN } from './plan.ts';
import type { Connection } from './targets/connection.ts';
import { switchboard } from './targets/switchboard.ts';

export const MIX_CLIENTS = 10;

/** A call that takes this long has failed; the slowest tool sleeps 2 s. */
const CALL_TIMEOUT_MS = 30_000;
/** The first few errors are kept for the report; the rest are counted. */
const ERRORS_KEPT = 3;

/** Rules the mix's calls pass through: two that never match it and one that allows it with constraints. */
export const MIX_POLICY: ConfigInput['policy'] = {
  rules: [
    { id: 'no-deletes', tools: ['*__delete*', '*__drop*'], action: 'deny', reason: 'nothing is deleted here' },
    { id: 'ops-only', clients: ['ops-*'], servers: ['mix-2*'], action: 'deny' },
    {
      id: 'mix-work',
      tools: ['mix-*__work'],
      action: 'allow',
      arguments: { seq: { schema: { type: 'integer', minimum: 0 } } },
    },
  ],
  defaultAction: 'deny',
  // Far above what 10 clients reach: every call takes a token, none is refused.
  rateLimits: [{ id: 'mix-ceiling', each: ['client', 'tool'], calls: 1_000_000, perSeconds: 60 }],
};

export interface MixClass extends Latency {
  readonly sleepMs: number;
  readonly calls: number;
  /** Measured latency minus the tool's own sleep: the gateway, the transports and the payload's trip. */
  readonly added: Latency;
}

export interface MixResult {
  readonly servers: number;
  readonly clients: number;
  readonly calls: number;
  readonly seconds: number;
  readonly rps: number;
  readonly classes: readonly MixClass[];
  readonly errors: number;
  readonly firstErrors: readonly string[];
}

function workCall(connection: Connection, server: MixServer, seq: number): Promise<string | null> {
  return connection.client
    .callTool({ name: `${server.name}__work`, arguments: { seq } }, undefined, { timeout: CALL_TIMEOUT_MS })
    .then(
      (result) => {
        const content = result.content as readonly { type: string; text?: string }[] | undefined;
        if (result.isError === true) return `${server.name}: ${JSON.stringify(result).slice(0, 200)}`;
        const length = content?.[0]?.text?.length;
        return length === server.bytes ? null : `${server.name}: ${length} characters, expected ${server.bytes}`;
      },
      (error: unknown) => `${server.name}: ${(error as Error).message}`,
    );
}

export async function benchMix(calls: number, log: (message: string) => void): Promise<MixResult> {
  const plan = mixPlan(calls);
  const settings = Object.fromEntries(
    plan.servers.map((s) => [
      s.name,
      { args: [MIX_SERVER, '--sleep-ms', String(s.sleepMs), '--bytes', String(s.bytes)] },
    ]),
  );
  log(`mix: serve with ${plan.servers.length} servers, policy on; ${calls} calls from ${MIX_CLIENTS} clients`);
  const target = await switchboard({ servers: plan.servers.map((s) => s.name), settings, policy: MIX_POLICY });
  const connections: Connection[] = [];
  try {
    for (let i = 0; i < MIX_CLIENTS; i += 1) connections.push(await target.connect());
    const samples = new Float64Array(calls);
    const errors: string[] = [];
    let errorCount = 0;
    let next = 0;
    const client = async (connection: Connection): Promise<void> => {
      while (next < calls) {
        const seq = next++;
        const server = plan.servers[plan.calls[seq]!]!;
        const sent = performance.now();
        const error = await workCall(connection, server, seq);
        samples[seq] = performance.now() - sent;
        if (error !== null) {
          errorCount += 1;
          if (errors.length < ERRORS_KEPT) errors.push(error);
        }
      }
    };
    const started = performance.now();
    await Promise.all(connections.map(client));
    const seconds = (performance.now() - started) / 1000;
    const classes = LATENCY_CLASSES_MS.flatMap((sleepMs) => {
      const mine = plan.calls.flatMap((s, i) => (plan.servers[s]!.sleepMs === sleepMs ? [samples[i]!] : []));
      if (mine.length === 0) return [];
      return [
        {
          sleepMs,
          calls: mine.length,
          ...latencyOf(Float64Array.from(mine)),
          added: latencyOf(Float64Array.from(mine, (ms) => ms - sleepMs)),
        },
      ];
    });
    return {
      servers: plan.servers.length,
      clients: MIX_CLIENTS,
      calls,
      seconds,
      rps: calls / seconds,
      classes,
      errors: errorCount,
      firstErrors: errors,
    };
  } finally {
    await Promise.all(connections.map((c) => c.close().catch(() => {})));
    await target.stop();
  }
}

export function formatMix(r: MixResult): string {
  const ms = (value: number): string => value.toFixed(1).padStart(8);
  const lines = [
    '',
    `realistic mix: ${r.servers} servers (1 ms to 2 s, 100 B to 1 MiB), ${r.clients} clients, policy and audit on`,
    `  ${r.calls} calls in ${r.seconds.toFixed(1)} s: ${r.rps.toFixed(1)} calls/s`,
    '  tool sleeps   calls    p50 ms    p99 ms   added p50   added p99',
    ...r.classes.map(
      (c) =>
        `  ${`${c.sleepMs} ms`.padEnd(11)} ${String(c.calls).padStart(7)}  ${ms(c.p50Ms)}  ${ms(c.p99Ms)}    ${ms(c.added.p50Ms)}    ${ms(c.added.p99Ms)}`,
    ),
    `  errors                                                ${r.errors}  (target 0)  ${r.errors === 0 ? 'pass' : 'FAIL'}`,
    ...r.firstErrors.map((e) => `    ${e}`),
    '',
  ];
  return lines.join('\n');
}

/** Parses --mix-calls (or --calls): a whole number of calls. */
export function parseMixCalls(value: string): number {
  const calls = Number(value);
  if (!Number.isInteger(calls) || calls < 1 || calls > 1_000_000) {
    throw new Error(`--mix-calls must be a whole number from 1 to 1000000, got "${value}"`);
  }
  return calls;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: String(FULL_PLAN.mixCalls) } } });
  const calls = parseMixCalls(values.calls);
  const started = performance.now();
  const log = (message: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  };
  process.stdout.write(formatMix(await benchMix(calls, log)));
}
