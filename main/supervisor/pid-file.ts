// One pid file per running stdio server, so that after a gateway crash the next start can find and kill what the
// crashed gateway left running (security tests T40, T73). The process start time is recorded with the pid: a pid
// alone may have been reused by an unrelated process by then, and killing that would be far worse than a leak.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { terminateGroup } from './process-tree.ts';
import { hasProcfs, isLiveState, listProcesses, readProcStat } from './proc-stat.ts';

export interface PidRecord {
  readonly pid: number;
  /** Clock ticks after boot (Linux); null where the platform gives no reliable start time. */
  readonly startTime: number | null;
  readonly command: string;
}

export function pidFilePath(runDir: string, server: string): string {
  return join(runDir, `${server}.pid`);
}

export function writePidFile(runDir: string, server: string, record: PidRecord): void {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const path = pidFilePath(runDir, server);
  // Written whole and renamed, so a crash mid-write never leaves half a record to misread.
  writeFileSync(`${path}.tmp`, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function readPidFile(runDir: string, server: string): PidRecord | null {
  let text: string;
  try {
    text = readFileSync(pidFilePath(runDir, server), 'utf8');
  } catch {
    return null;
  }
  return parsePidRecord(text);
}

/** A pid file's record, or null when the text is not one. */
export function parsePidRecord(text: string): PidRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { pid, startTime, command } = parsed as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return null;
  return {
    pid,
    startTime: typeof startTime === 'number' ? startTime : null,
    command: typeof command === 'string' ? command : '',
  };
}

/** Removes the pid file, but only while it still names `pid`: a newer process's file is left alone. */
export function removePidFile(runDir: string, server: string, pid: number): void {
  if (readPidFile(runDir, server)?.pid !== pid) return;
  rmSync(pidFilePath(runDir, server), { force: true });
}

/** The record to write for a process just spawned. */
export function pidRecordFor(pid: number, command: string, platform: NodeJS.Platform = process.platform): PidRecord {
  return { pid, startTime: hasProcfs(platform) ? (readProcStat(pid)?.startTime ?? null) : null, command };
}

/**
 * Whether the group a pid file names is still ours to kill: its leader runs with the recorded start time, or the
 * leader is gone but processes it started (no earlier than it) are left in its group. Without a start time the
 * answer is no: unsure means hands off.
 */
export function isStaleGroupOurs(record: PidRecord, platform: NodeJS.Platform = process.platform): boolean {
  if (record.startTime === null || !hasProcfs(platform)) return false;
  const startTime = record.startTime;
  const leader = readProcStat(record.pid);
  if (leader !== null && isLiveState(leader.state)) return leader.startTime === startTime;
  return listProcesses().some((p) => p.pgrp === record.pid && isLiveState(p.state) && p.startTime >= startTime);
}

/** At start: kills the process group a crashed predecessor left behind, if there is one, and clears its pid file. */
export async function reapPredecessor(
  runDir: string,
  server: string,
  graceMs: number,
  logger: Logger,
): Promise<boolean> {
  const record = readPidFile(runDir, server);
  if (record === null) {
    rmSync(pidFilePath(runDir, server), { force: true });
    return false;
  }
  let reaped = false;
  if (isStaleGroupOurs(record)) {
    logger.warn('a previous run left this server running; stopping its process group', {
      pid: record.pid,
      command: record.command,
    });
    await terminateGroup(record.pid, graceMs, logger);
    reaped = true;
  }
  rmSync(pidFilePath(runDir, server), { force: true });
  return reaped;
}
