// The core's memory with ten servers: serve with ten echo servers, every one ready and called, then the peak RSS
// (VmHWM) of the serve process alone; the servers are separate processes and not counted.
import { readFileSync } from 'node:fs';
import { throughputRound } from './measure.ts';
import type { Plan } from './plan.ts';
import { descendants, memory } from './proc.ts';
import { echoCall } from './targets/connection.ts';
import { switchboard } from './targets/switchboard.ts';

export interface TenServersResult {
  readonly servers: number;
  readonly peakRssMb: number;
  readonly rssMb: number;
  /** Server processes below serve while all servers run: one per server, none per session. */
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
    return { servers: names.length, peakRssMb: peakMb, rssMb, children: below.length - watchdogs, watchdogs };
  } finally {
    await target.stop();
  }
}
