// The core's memory with ten servers: serve with ten echo servers, every one ready and called, then the peak RSS
// (VmHWM) of the serve process alone; the servers are separate processes and not counted. The peak depends on when
// V8 happens to collect its old generation, so one start moves by about 10 MB either way: serve is started afresh
// `rssRuns` times and the median is the figure, every reading shown beside it.
import { readFileSync } from 'node:fs';
import { median, throughputRound } from './measure.ts';
import type { Plan } from './plan.ts';
import { descendants, memory } from './proc.ts';
import { echoCall } from './targets/connection.ts';
import { switchboard } from './targets/switchboard.ts';

export interface TenServersResult {
  readonly servers: number;
  /** The median of `readings`. */
  readonly peakRssMb: number;
  /** The peak RSS of each start, in the order they ran. */
  readonly readings: readonly number[];
  /** RSS at the end of the start whose peak is the median. */
  readonly rssMb: number;
  /** Server processes below serve while all servers run: one per server, none per session (the first start
   * where that was not so, if any). */
  readonly children: number;
  /** The orphan watchdog's shell, which is not a server: 1 on Linux and macOS. */
  readonly watchdogs: number;
}

/** The orphan watchdog names itself `switchboard-watchdog` ($0 of its shell). */
function isWatchdog(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('switchboard-watchdog');
  } catch {
    return false;
  }
}

export async function coreMemoryWithServers(plan: Plan): Promise<TenServersResult> {
  const runs: TenServersResult[] = [];
  for (let i = 0; i < plan.rssRuns; i += 1) runs.push(await oneStart(plan));
  const readings = runs.map((r) => r.peakRssMb);
  const middle = runs.find((r) => r.peakRssMb === median(readings))!;
  return {
    ...(runs.find((r) => r.children !== r.servers) ?? middle),
    peakRssMb: middle.peakRssMb,
    rssMb: middle.rssMb,
    readings,
  };
}

async function oneStart(plan: Plan): Promise<TenServersResult> {
  const names = Array.from({ length: plan.rssServers }, (_, i) => `echo-${i + 1}`);
  const target = await switchboard({ servers: names });
  try {
    const connection = await target.connect();
    try {
      const { tools } = await connection.client.listTools();
      for (const name of names) {
        if (!tools.some((t) => t.name === `${name}__echo`)) throw new Error(`tools/list has no ${name}__echo`);
        const call = echoCall(connection.client, `${name}__echo`);
        await throughputRound(call, plan.rssCallsPerServer, plan.concurrency);
      }
    } finally {
      await connection.close();
    }
    const pid = target.pid!;
    const { peakMb, rssMb } = memory(pid);
    const below = descendants(pid);
    const watchdogs = below.filter(isWatchdog).length;
    return {
      servers: names.length,
      peakRssMb: peakMb,
      readings: [peakMb],
      rssMb,
      children: below.length - watchdogs,
      watchdogs,
    };
  } finally {
    await target.stop();
  }
}
