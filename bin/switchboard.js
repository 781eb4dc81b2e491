#!/usr/bin/env node
// Runs the TypeScript sources directly when they are present (a checkout; Node >= 22.18 strips types itself), and
// the compiled build otherwise (an installed package ships dist/ only). SWITCHBOARD_DIST=1 picks the build in a
// checkout, as the benchmark does to measure what users run.
import { existsSync } from 'node:fs';
import { missingServeFlags } from './serve-flags.js';

// `serve` runs with V8 flags that keep a long-running core's memory down (serve-flags.js says which and why).
// The flags only take effect at start, so the process replaces itself once (same pid, same stdio) where the
// platform can (not Windows); a flag the user gives wins over ours.
const missing = missingServeFlags([...process.execArgv, process.env.NODE_OPTIONS ?? '']);
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
