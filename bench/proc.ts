// What the kernel says about one process, read from /proc (Linux only): CPU time, resident memory and the
// processes below it. Each figure is for the process alone; its children are never counted in.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = readTicksPerSecond();

function readTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

interface StatFields {
  readonly state: string;
  readonly ppid: number;
  /** utime + stime, in clock ticks: this process's own threads, without its waited-for children (cutime, cstime). */
  readonly cpuTicks: number;
  /** Field 22: clock ticks after boot at which the process started; tells a process from a later one with its pid. */
  readonly startTime: number;
}

function readStat(pid: number): StatFields | null {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name in parentheses may hold spaces; fields after it are counted from state (field 3).
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { state: fields[0] ?? '?', ppid: Number(fields[1]), cpuTicks: utime + stime, startTime: Number(fields[19]) };
}

/** CPU time the process has used so far, in microseconds (at the kernel's tick resolution, usually 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readStat(pid);
  if (stat === null) throw new Error(`process ${pid} is gone; cannot read its CPU time from /proc/${pid}/stat`);
  return (stat.cpuTicks * 1_000_000) / TICKS_PER_SECOND;
}

export interface Memory {
  /** Resident set now, in MiB. */
  readonly rssMb: number;
  /** Highest resident set since the process started (VmHWM), in MiB. */
  readonly peakMb: number;
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${key} line`);
    return Number(match[1]);
  };
  return { rssMb: kib('VmRSS') / 1024, peakMb: kib('VmHWM') / 1024 };
}

/** Live processes below `pid` at any depth (zombies waiting to be reaped are not counted). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === null || stat.state === 'Z' || stat.state === 'X') continue;
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(Number(entry));
    children.set(stat.ppid, siblings);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process as it can be safely signalled later: its pid and when it started. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: number;
}

export function identify(pid: number): ProcessIdentity | null {
  const stat = readStat(pid);
  return stat === null ? null : { pid, startTime: stat.startTime };
}

/** Whether the process still runs and is the same one (not a later process that reused its pid). */
export function isSameProcess(identity: ProcessIdentity): boolean {
  const stat = readStat(identity.pid);
  return stat !== null && stat.startTime === identity.startTime && stat.state !== 'Z' && stat.state !== 'X';
}
