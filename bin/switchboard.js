#!/usr/bin/env node
// Runs the TypeScript sources directly when they are present (a checkout; Node >= 22.18 strips types itself), and
// the compiled build otherwise (an installed package ships dist/ only). SWITCHBOARD_DIST=1 picks the build in a
// checkout, as the benchmark does to measure what users run.
import { existsSync } from 'node:fs';

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
