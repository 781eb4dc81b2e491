// `node bench/profile.ts [--calls N] [--out DIR]`: a CPU profile of the Switchboard gateway under the benchmark's
// load (concurrency 16, then concurrency 1), summarised as the functions and sources with the most self time.
// The .cpuprofile stays in DIR for Chrome DevTools or VS Code.
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeProfile } from './cpu-profile-summary.ts';
import { latencyRound, throughputRound, withCpu } from './measure.ts';
import { REPO_ROOT } from './paths.ts';
import { echoCall } from './targets/connection.ts';
import { switchboard } from './targets/switchboard.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    out: { type: 'string', default: join(REPO_ROOT, '.bench', 'profile') },
  },
});
const calls = Number(values.calls);
if (!Number.isInteger(calls) || calls < 100 || calls > 1_000_000) {
  throw new Error(`--calls must be a whole number from 100 to 1000000, got "${values.calls}"`);
}
const out = resolve(values.out);
await mkdir(out, { recursive: true });
const before = new Set(await readdir(out));

const target = await switchboard({ servers: ['echo'], nodeArgs: ['--cpu-prof', '--cpu-prof-dir', out] });
try {
  const connection = await target.connect();
  try {
    const call = echoCall(connection.client, target.tool);
    await throughputRound(call, 500, 16);
    const loaded = await withCpu(target.pid, () => throughputRound(call, calls, 16));
    const single = await withCpu(target.pid, () => latencyRound(call, Math.ceil(calls / 10)));
    process.stderr.write(
      `concurrency 16: ${Math.round(loaded.result.rps)} calls/s, ${(loaded.cpuUs / calls).toFixed(0)} µs CPU per call; ` +
        `concurrency 1: p50 ${single.result.p50Ms.toFixed(3)} ms\n`,
    );
  } finally {
    await connection.close();
  }
} finally {
  // serve writes its profile when it exits after SIGTERM.
  await target.stop();
}
// One profile per thread: `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`, thread 0 being the event loop's.
// Only serve's own: a process it started with the same flags would leave its profiles here too.
const written = (await readdir(out))
  .filter((f) => f.endsWith('.cpuprofile') && !before.has(f) && f.split('.')[3] === String(target.pid))
  .sort();
const main = written.filter((f) => f.split('.')[4] === '0');
if (main.length !== 1) throw new Error(`expected one new main-thread .cpuprofile in ${out}, found ${main.length}`);
for (const file of [...main, ...written.filter((f) => !main.includes(f))]) {
  const path = join(out, file);
  const thread = file === main[0] ? 'event-loop thread' : `thread ${file.split('.')[4]} (the audit writer)`;
  process.stdout.write(`${thread}: ${path}\n\n${formatSummary(await summarizeProfile(path, 30, REPO_ROOT))}\n`);
}
