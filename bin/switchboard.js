#!/usr/bin/env node
// Runs the compiled CLI when a build exists (an installed package), else the TypeScript sources directly
// (Node >= 22.18 strips types itself).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/main/cli/cli.js', import.meta.url);
const { runCli } = await import(existsSync(compiled) ? compiled.href : '../main/cli/cli.ts');
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
