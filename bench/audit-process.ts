// The audit trail's benchmark (audit.ts) runs in a process of its own, started with the V8 flags `serve` runs
// with (bin/serve-flags.js). Its event-loop check stands for the gateway's loop, and the size of V8's young
// generation sets how long that loop's collections pause it; the bench's own process runs with Node's defaults.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SERVE_V8_FLAGS } from '../bin/serve-flags.js';
import type { AuditBenchResult } from './audit.ts';

const ENTRY = new URL('./audit-main.ts', import.meta.url);

/** The node arguments the audit benchmark's process is started with. */
export function auditProcessArgs(records: number): string[] {
  return [...SERVE_V8_FLAGS.map(({ flag }) => flag), ENTRY.pathname, String(records)];
}

/** Runs `benchAudit(records)` with serve's V8 flags; its progress lines come to `log`. */
export async function benchAuditAsServe(records: number, log: (message: string) => void): Promise<AuditBenchResult> {
  const child = spawn(process.execPath, auditProcessArgs(records), { stdio: ['ignore', 'pipe', 'pipe'] });
  // An interrupted bench takes its measurement with it.
  const stop = (): void => void child.kill();
  process.once('exit', stop);
  const tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    log(line);
    tail.push(line);
    if (tail.length > 20) tail.shift();
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  process.off('exit', stop);
  if (code !== 0) throw new Error(`the audit benchmark's process exited with ${code}:\n${tail.join('\n')}`);
  return JSON.parse(out) as AuditBenchResult;
}
