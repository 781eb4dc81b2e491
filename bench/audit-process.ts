// The audit trail's benchmark (audit.ts) runs in a process of its own, started with the V8 flags `serve` runs
// with (bin/serve-flags.js). Its event-loop check stands for the gateway's loop, and the size of V8's young
// generation sets how long that loop's collections pause it; the bench's own process runs with Node's defaults.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { missingServeFlags } from '../bin/serve-flags.js';
import type { AuditBenchResult } from './audit.ts';

const ENTRY = fileURLToPath(new URL('./audit-main.ts', import.meta.url));

/**
 * The node arguments the audit benchmark's process is started with: serve's flags, but for a setting the user
 * gave in NODE_OPTIONS, which wins there as it does for serve.
 */
export function auditProcessArgs(records: number, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  return [...missingServeFlags([nodeOptions]), ENTRY, String(records)];
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
  const ended = await new Promise<string | null>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('close', (code, signal) => resolve(code === 0 ? null : `exited with ${code ?? signal}`));
  });
  process.off('exit', stop);
  if (ended !== null) throw new Error(`the audit benchmark's process ${ended}:\n${tail.join('\n')}`);
  try {
    return JSON.parse(out) as AuditBenchResult;
  } catch {
    throw new Error(`the audit benchmark's process printed no result: "${out.slice(0, 200)}"`);
  }
}
