#!/usr/bin/env node
// Runs the TypeScript sources directly when they are present (a checkout; Node >= 22.18 strips types itself), and
// the compiled build otherwise (an installed package ships dist/ only). SWITCHBOARD_DIST=1 picks the build in a
// checkout, as the benchmark does to measure what users run.
import { existsSync } from 'node:fs';

// `serve` runs for days with little live data, and three V8 settings keep its resident memory down at the same work:
// - a young generation of 2 x 4 MiB instead of V8's 2 x 32 MiB: about 45 MB less;
// - no pretenuring by allocation site. With a young generation this small, the objects of the calls in flight are
//   often alive at a scavenge; V8 then allocates everything from their allocation sites in the old generation, and
//   each later call's garbage waits there for a full collection (about 10 MB more at the peak with ten servers,
//   and no CPU saved);
// - no Maglev, V8's middle compiler. It compiles much of the gateway's warm code a second time on the way to
//   TurboFan, and its compile jobs' memory (outside the JS heap, returned to malloc but not to the system) made
//   about 20 MB of the peak with ten servers. Once warm, calls cost the same CPU without it, as the hot paths end
//   up in TurboFan either way; the first thousands of calls after a start cost more, until TurboFan has them
//   (`npm run bench` measures memory and CPU).
// The flags only take effect at start, so the process replaces itself once (same pid, same stdio) where the
// platform can (not Windows); a flag the user gives wins over ours.
const MEMORY_FLAGS = [
  { name: 'max-semi-space-size', flag: '--max-semi-space-size=4' },
  { name: 'allocation-site-pretenuring', flag: '--no-allocation-site-pretenuring' },
  { name: 'maglev', flag: '--no-maglev' },
];
const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
const missing = MEMORY_FLAGS.filter(({ name }) => !given.some((a) => a.includes(name))).map(({ flag }) => flag);
if (process.argv.slice(2).includes('serve') && missing.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)]);
}

const sources = new URL('../main/cli/cli.ts', import.meta.url);
const compiled = new URL('../dist/main/cli/cli.js', import.meta.url);
const useBuild = process.env.SWITCHBOARD_DIST === '1' || !existsSync(sources);
const { runCli } = await import(useBuild ? compiled.href : sources.href);
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
});
process.exitCode = code;
// A command that failed may leave part of what it started behind (a half-built core's worker thread): nothing of
// it is needed, so the process ends once what it wrote has been flushed.
if (code !== 0) process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
