// Run by the orphan watchdog (orphan-watchdog.ts) after the gateway died: reads the pid-file records the watchdog
// snapshotted on stdin, one JSON object a line, and terminates each process group that is still the one recorded
// (the same start-time check as the reaping at the next start, so a reused pid is never killed).
import { silentLogger } from '../log/logger.ts';
import { isStaleGroupOurs, parsePidRecord } from './pid-file.ts';
import { terminateGroup } from './process-tree.ts';

const graceMs = Number(process.argv[2] ?? '2000');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const records = input
    .split('\n')
    .map(parsePidRecord)
    .filter((record) => record !== null)
    .filter((record) => isStaleGroupOurs(record));
  void Promise.allSettled(records.map((record) => terminateGroup(record.pid, graceMs, silentLogger)));
});
