// Runs the official MCP conformance suite (the pinned @modelcontextprotocol/conformance in package.json, never a
// download) against one URL and reads its verdicts from the files it writes with `-o`: one `checks.json` per
// scenario. A scenario passes when it produced checks and none of them failed; warnings are kept for the report.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/gateway-harness.ts';

export const SUITE_CLI = join(REPO, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

/** The protocol revision the runs target: scenarios of this revision, run at its wire version. */
export const SPEC_VERSION = '2025-11-25';

/** `active` is what the suite scores; `pending` holds scenarios its own reference server cannot pass yet. */
export type SuiteName = 'active' | 'pending';

/** The modern revision: its frozen requirement set, every scenario run at its own (stateless) wire version. */
export const MODERN_SPEC_VERSION = '2026-07-28';

/** How the frozen requirement set ranks a scenario it runs: scored, or run but not scored (for the reason given). */
export type Standing = 'scored' | 'extension' | 'pending' | 'added-after-release';

export interface ScenarioResult {
  readonly scenario: string;
  readonly suite: SuiteName | Standing;
  readonly passed: boolean;
  readonly checks: number;
  /** `id: message` of each failed check, or why the scenario produced no verdict. */
  readonly failures: readonly string[];
  readonly warnings: readonly string[];
}

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
  readonly description?: string;
  readonly details?: unknown;
}

export interface RunOptions {
  readonly url: string;
  readonly suite: SuiteName;
  /** Per scenario; the suite records a scenario that runs longer as failed. */
  readonly scenarioTimeoutMs?: number;
  /** For the whole run; the suite's process is killed after it. */
  readonly runTimeoutMs?: number;
}

const SCENARIO_LINE = /^=== Running scenario: (\S+) ===$/gm;
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
const MAX_OUTPUT_CHARS = 2_000_000;
/** How much of a failed check's details an assertion message shows. */
const MAX_DETAIL_CHARS = 400;

function runCli(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SUITE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (chunk: Buffer): void => {
      if (out.length < MAX_OUTPUT_CHARS) out += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null)
        reject(new Error(`the conformance suite was killed (${signal}) after ${timeoutMs} ms:\n${out.slice(-4000)}`));
      else resolve({ code, out });
    });
  });
}

function verdict(scenario: string, suite: SuiteName | Standing, checks: readonly Check[]): ScenarioResult {
  const failed = checks.filter((c) => c.status === 'FAILURE');
  const warned = checks.filter((c) => c.status === 'WARNING');
  const describe = (c: Check): string => {
    const details = c.details === undefined ? '' : ` ${JSON.stringify(c.details).slice(0, MAX_DETAIL_CHARS)}`;
    return `${c.id}: ${c.errorMessage ?? c.description ?? ''}${details}`;
  };
  return {
    scenario,
    suite,
    passed: checks.length > 0 && failed.length === 0,
    checks: checks.length,
    failures: checks.length === 0 ? ['the scenario reported no checks'] : failed.map(describe),
    warnings: warned.map(describe),
  };
}

async function readResults(
  dir: string,
  suite: SuiteName | Standing,
  scenarios: readonly string[],
): Promise<ScenarioResult[]> {
  const written = new Map<string, string>();
  for (const entry of await readdir(dir)) {
    const match = RESULT_DIR.exec(entry);
    if (match) written.set(match[1]!, join(dir, entry, 'checks.json'));
  }
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const file = written.get(scenario);
    let checks: Check[] | null = null;
    if (file !== undefined) {
      try {
        checks = JSON.parse(await readFile(file, 'utf8')) as Check[];
      } catch {
        checks = null;
      }
    }
    results.push(
      checks === null
        ? { scenario, suite, passed: false, checks: 0, failures: ['the scenario ended without results'], warnings: [] }
        : verdict(scenario, suite, checks),
    );
  }
  return results;
}

/** Runs one suite of the 2025-11-25 server scenarios against `url` and returns a verdict per scenario run. */
export async function runSuite(options: RunOptions): Promise<ScenarioResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-conformance-'));
  try {
    const { code, out } = await runCli(
      [
        'server',
        '--url',
        options.url,
        '--suite',
        options.suite,
        '--spec-version',
        SPEC_VERSION,
        '--timeout',
        String(options.scenarioTimeoutMs ?? 15_000),
        '-o',
        dir,
      ],
      options.runTimeoutMs ?? 90_000,
    );
    const scenarios = [...out.matchAll(SCENARIO_LINE)].map((m) => m[1]!);
    if (scenarios.length === 0 || (code !== 0 && code !== 1)) {
      throw new Error(`the conformance suite ran no scenario (exit ${code}):\n${out.slice(-4000)}`);
    }
    return await readResults(dir, options.suite, scenarios);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The line the suite prints per scenario it ran without scoring it, e.g. `  ✗ tasks-lifecycle (extension)`. */
const NOT_SCORED_LINE = /^ {2}\S+ (\S+) \((extension|pending|added-after-release)\)$/gm;

/**
 * Runs every server scenario the 2026-07-28 requirement set holds (`--requirements 2026-07-28`: the scored ones
 * and those run but not scored), all at the 2026-07-28 wire, against `url`; returns a verdict per scenario run,
 * its `suite` saying whether the requirement set scores it.
 */
export async function runRequirements(options: Omit<RunOptions, 'suite'>): Promise<ScenarioResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-conformance-'));
  try {
    const { code, out } = await runCli(
      [
        'server',
        '--url',
        options.url,
        '--requirements',
        MODERN_SPEC_VERSION,
        '--timeout',
        String(options.scenarioTimeoutMs ?? 15_000),
        '-o',
        dir,
      ],
      options.runTimeoutMs ?? 90_000,
    );
    const scenarios = [...out.matchAll(SCENARIO_LINE)].map((m) => m[1]!);
    if (scenarios.length === 0 || (code !== 0 && code !== 1)) {
      throw new Error(`the conformance suite ran no scenario (exit ${code}):\n${out.slice(-4000)}`);
    }
    const notScored = new Map([...out.matchAll(NOT_SCORED_LINE)].map((m) => [m[1]!, m[2]! as Standing]));
    const results = await readResults(dir, 'scored', scenarios);
    return results.map((r) => ({ ...r, suite: notScored.get(r.scenario) ?? 'scored' }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ClientRunOptions {
  /** The client command; the suite splits it on spaces and appends the server URL. */
  readonly command: string;
  readonly scenario: string;
  /** Run a scenario of a later revision at this (earlier) wire version, as `--spec-version V --force`. */
  readonly forceSpecVersion?: string;
  readonly scenarioTimeoutMs?: number;
}

/**
 * Runs one client-mode scenario against `command` and returns its verdict. The suite's own rule is stricter than
 * "no failed check": a warning, a timeout or a non-zero exit fails the run too, so `passed` needs exit code 0.
 */
export async function runClientScenario(options: ClientRunOptions): Promise<ScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-conformance-client-'));
  try {
    const { code, out } = await runCli(
      [
        'client',
        '--command',
        options.command,
        '--scenario',
        options.scenario,
        '--timeout',
        String(options.scenarioTimeoutMs ?? 30_000),
        ...(options.forceSpecVersion === undefined ? [] : ['--spec-version', options.forceSpecVersion, '--force']),
        '-o',
        dir,
      ],
      (options.scenarioTimeoutMs ?? 30_000) + 30_000,
    );
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('checks.json'));
    if (files.length !== 1) {
      return {
        scenario: options.scenario,
        suite: 'scored',
        passed: false,
        checks: 0,
        failures: [`no verdict (exit ${code}): ${out.slice(-2000)}`],
        warnings: [],
      };
    }
    const checks = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as Check[];
    const result = verdict(options.scenario, 'scored', checks);
    return code === 0
      ? result
      : { ...result, passed: false, failures: [...result.failures, `the suite exited ${code}`] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
