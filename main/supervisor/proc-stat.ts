// What the kernel says about a process, read from /proc on Linux: its state, parent, process group and start time.
// The start time tells a process from a later one that reused its pid, which is what makes a pid file safe to act on.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  /** One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, X dead, … */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  readonly startTime: number;
}

/** Whether /proc can be read for process details (Linux). */
export function hasProcfs(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux';
}

/** Parses one /proc/<pid>/stat line; the command name in parentheses may itself contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  // Fields from the third on (state is field 3), so field N is at index N - 3.
  const rest = line
    .slice(close + 1)
    .trim()
    .split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (state === undefined || !Number.isInteger(pid) || !Number.isInteger(pgrp) || !Number.isFinite(startTime)) {
    return null;
  }
  return { pid, state, ppid, pgrp, startTime };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every process on the machine, as far as /proc shows them; processes that vanish while listing are skipped. */
export function listProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== null) out.push(stat);
  }
  return out;
}

/** Whether a process in this state still runs code; zombies and dead entries only wait to be reaped. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}
