// The official MCP conformance suite (server scenarios of the 2025-11-25 revision, pinned in package.json) run
// twice against the conformance upstream (test/fixtures/conformance-upstream): directly over its own Streamable
// HTTP, and through Switchboard's /mcp/<server> while Switchboard supervises the same fixture over stdio.
// The suite sends no Authorization header, so a small proxy in front of the gateway adds a real client token
// (test/conformance/header-proxy.ts); the gateway's authentication is not relaxed for the run.
// Whatever the fixture passes directly, the gateway must pass too: a scenario lost on the way is a gateway bug.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test, type TestContext } from 'node:test';
import type { Harness } from '../helpers/gateway-harness.ts';
import { SERVER, closeComparison, startComparison, type Comparison } from './comparison.ts';
import type { HeaderProxy } from './header-proxy.ts';
import { ACTIVE_SCENARIOS, PENDING_SCENARIOS } from './scenarios.ts';
import { SPEC_VERSION, runSuite, type ScenarioResult } from './suite-runner.ts';

let harness: Harness;
let proxy: HeaderProxy;
let direct: Promise<ScenarioResult[]>;
let viaGateway: Promise<ScenarioResult[]>;

async function runBoth(url: string): Promise<ScenarioResult[]> {
  const active = await runSuite({ url, suite: 'active' });
  const pending = await runSuite({ url, suite: 'pending' });
  return [...active, ...pending];
}

let comparison: Comparison | undefined;
before(async () => {
  comparison = await startComparison('conformance-suite', runBoth);
  ({ harness, proxy, direct, viaGateway } = comparison);
});
after(() => closeComparison(comparison));

/** POSTs an initialize request to `url` with `headers` as given (Host included) and returns status and body. */
function postInitialize(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: SPEC_VERSION, capabilities: {}, clientInfo: { name: 'probe', version: '1.0.0' } },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.once('error', reject);
    req.end(body);
  });
}

/** The last warnings and errors the gateway logged during the runs. */
function gatewayProblems(limit = 20): string[] {
  return harness.logLines
    .filter((line) => /"level":"(warn|error)"/.test(line))
    .slice(-limit)
    .map((line) => line.trim().slice(0, 1_000));
}

function errorMessage(body: string): string {
  return (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
}

function line(result: ScenarioResult): string {
  const verdict = result.passed ? 'pass' : 'FAIL';
  const warned = result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : '';
  return `${verdict} ${result.scenario} [${result.suite}] (${result.checks} checks${warned})`;
}

function explain(results: readonly ScenarioResult[]): string {
  return results.map((r) => `  ${r.scenario}:\n${r.failures.map((f) => `    - ${f}`).join('\n')}`).join('\n');
}

function summarise(t: TestContext, label: string, results: readonly ScenarioResult[]): void {
  const passed = results.filter((r) => r.passed).length;
  t.diagnostic(`${label}: ${passed}/${results.length} scenarios pass (spec ${SPEC_VERSION})`);
  for (const result of results) {
    t.diagnostic(`${label}: ${line(result)}`);
    for (const warning of result.warnings) t.diagnostic(`${label}:   warning ${warning}`);
  }
}

test('the fixture passes every active 2025-11-25 server scenario of the suite, directly', async (t) => {
  const results = await direct;
  summarise(t, 'direct', results);
  const active = results.filter((r) => r.suite === 'active');
  assert.deepEqual(
    active.map((r) => r.scenario),
    [...ACTIVE_SCENARIOS],
    'the active suite ran other scenarios',
  );
  const failed = active.filter((r) => !r.passed);
  assert.deepEqual(
    failed.map((r) => r.scenario),
    [],
    `the fixture fails active scenarios on its own:\n${explain(failed)}`,
  );
});

test('the fixture passes the pending 2025-11-25 scenarios too (JSON Schema 2020-12, SSE polling)', async () => {
  const pending = (await direct).filter((r) => r.suite === 'pending');
  assert.deepEqual(
    pending.map((r) => r.scenario),
    [...PENDING_SCENARIOS],
    'the pending suite ran other scenarios',
  );
  const failed = pending.filter((r) => !r.passed);
  assert.deepEqual(
    failed.map((r) => r.scenario),
    [],
    `pending scenarios the fixture fails:\n${explain(failed)}`,
  );
});

test('through Switchboard (/mcp/<server>), no scenario the fixture passes is lost', async (t) => {
  const [fixtureResults, gatewayResults] = await Promise.all([direct, viaGateway]);
  summarise(t, 'via gateway', gatewayResults);
  const gateway = new Map(gatewayResults.map((r) => [r.scenario, r]));
  const lost = fixtureResults
    .filter((r) => r.passed)
    .map((r) => gateway.get(r.scenario) ?? { ...r, passed: false, failures: ['not run through the gateway'] })
    .filter((r) => !r.passed);
  // The gateway's own errors and warnings say why, when the suite only saw an HTTP status.
  if (lost.length > 0) for (const entry of gatewayProblems()) t.diagnostic(`gateway log: ${entry}`);
  assert.deepEqual(
    lost.map((r) => r.scenario),
    [],
    `${lost.length} scenario(s) pass against the fixture but fail through the gateway:\n${explain(lost)}`,
  );
});

test('DNS-rebinding protection holds at the gateway’s own door', async () => {
  const result = (await viaGateway).find((r) => r.scenario === 'dns-rebinding-protection');
  assert.ok(result, 'dns-rebinding-protection did not run through the gateway');
  assert.ok(result.passed, `dns-rebinding-protection fails through the gateway:\n${explain([result])}`);
});

test('the proxy adds the token and passes a foreign Host or Origin through: the gateway itself refuses it', async () => {
  const endpoint = `${proxy.origin}/mcp/${SERVER}`;
  const foreignHost = await postInitialize(endpoint, { host: 'evil.example.com' });
  assert.equal(foreignHost.status, 403, foreignHost.body);
  assert.match(errorMessage(foreignHost.body), /host "evil\.example\.com" is not this gateway/);
  const foreignOrigin = await postInitialize(endpoint, { origin: 'http://evil.example.com' });
  assert.equal(foreignOrigin.status, 403, foreignOrigin.body);
  assert.match(errorMessage(foreignOrigin.body), /origin "http:\/\/evil\.example\.com" is not allowed/);
  // Without the proxy, the suite's requests (no Authorization header) are refused: authentication holds.
  const tokenless = await postInitialize(`${harness.origin}/mcp/${SERVER}`, {});
  assert.equal(tokenless.status, 401, tokenless.body);
});
