// Start-up: `switchboard serve` with 20 always-on stdio echo servers, from spawning serve until /readyz first
// answers 200 (every enabled server started and initialized, the listener up). Each start gets a fresh data
// directory, as a first start on a new machine would; the median of the starts is the figure.
import { median } from './measure.ts';
import { switchboard } from './targets/switchboard.ts';

/** /readyz is polled this often while serve starts, so a start is timed to within it. */
const POLL_MS = 5;

export interface StartupResult {
  readonly servers: number;
  readonly runs: readonly number[];
  readonly medianMs: number;
}

export async function benchStartup(
  servers: number,
  runs: number,
  log: (message: string) => void,
): Promise<StartupResult> {
  const names = Array.from({ length: servers }, (_, i) => `echo-${i + 1}`);
  const settings = Object.fromEntries(names.map((name) => [name, { start: 'always' }]));
  const times: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const target = await switchboard({ servers: names, settings, readyPollMs: POLL_MS });
    times.push(target.startToReadyMs);
    await target.stop();
    log(`start-up ${run}/${runs}: ${servers} servers ready in ${target.startToReadyMs.toFixed(0)} ms`);
  }
  return { servers, runs: times, medianMs: median(times) };
}

export function formatStartup(r: StartupResult): string {
  const each = r.runs.map((ms) => ms.toFixed(0)).join(', ');
  return [
    '',
    `start-up: serve with ${r.servers} always-on stdio echo servers, spawn to /readyz 200`,
    `  median of ${r.runs.length}                                          ${r.medianMs.toFixed(0)} ms  (each: ${each} ms)`,
    '',
  ].join('\n');
}
