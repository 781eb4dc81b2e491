// The official MCP conformance suite's 2026-07-28 server scenarios (`--requirements 2026-07-28`: the scored set
// and the scenarios it runs without scoring, all on the stateless 2026-07-28 wire), run twice against the
// conformance upstream: directly over its own Streamable HTTP, and through Switchboard's /mcp/<server> while
// Switchboard supervises the same fixture over stdio. The fixture is an SDK 1.x server that speaks only the
// 2025-11-25 revision, so directly it fails most of them; the gateway serves 2026-07-28 clients itself and
// translates to the fixture's revision. Same rule as the 2025-11-25 runs (conformance.test.ts): whatever the fixture
// passes directly, the gateway passes too. How far the gateway gets beyond that is reported, and asserted for what
// only the gateway's translation can pass: the fixture's requests to its client as `input_required` rounds (every
// input-required-result scenario, and server-stateless, whose undeclared-capability and response-stream checks call
// tools that ask their client), and every scenario the suite runs as pending, among them the checks of the mirrored
// headers (Mcp-Method, Mcp-Name, Mcp-Param-*) that the gateway's 2026-07-28 door makes for the fixture.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { closeComparison, startComparison, type Comparison } from './comparison.ts';
import { MODERN_SCORED_SCENARIOS, MODERN_UNSCORED_SCENARIOS } from './scenarios.ts';
import { MODERN_SPEC_VERSION, runRequirements, type ScenarioResult } from './suite-runner.ts';

let direct: Promise<ScenarioResult[]>;
let viaGateway: Promise<ScenarioResult[]>;

let comparison: Comparison | undefined;
before(async () => {
  comparison = await startComparison('conformance-suite-modern', (url) => runRequirements({ url }));
  ({ direct, viaGateway } = comparison);
});
after(() => closeComparison(comparison));

const EXPECTED = [
  ...MODERN_SCORED_SCENARIOS.map((scenario) => `${scenario} [scored]`),
  ...Object.entries(MODERN_UNSCORED_SCENARIOS).map(([scenario, standing]) => `${scenario} [${standing}]`),
].sort();

function ran(results: readonly ScenarioResult[]): string[] {
  return results.map((r) => `${r.scenario} [${r.suite}]`).sort();
}

function explain(results: readonly ScenarioResult[]): string {
  return results.map((r) => `  ${r.scenario}:\n${r.failures.map((f) => `    - ${f}`).join('\n')}`).join('\n');
}

function counts(results: readonly ScenarioResult[]): string {
  const scored = results.filter((r) => r.suite === 'scored');
  const pass = (rs: readonly ScenarioResult[]): number => rs.filter((r) => r.passed).length;
  return (
    `${pass(scored)}/${scored.length} scored scenarios pass, ` +
    `${pass(results)}/${results.length} in all (spec ${MODERN_SPEC_VERSION})`
  );
}

/** Every scenario's verdict, every failed check of the scenarios failed with its message, and every warning. */
function summarise(t: TestContext, label: string, results: readonly ScenarioResult[]): void {
  t.diagnostic(`${label}: ${counts(results)}`);
  for (const r of results) {
    const warned = r.warnings.length > 0 ? `, ${r.warnings.length} warning(s)` : '';
    t.diagnostic(`${label}: ${r.passed ? 'pass' : 'FAIL'} ${r.scenario} [${r.suite}] (${r.checks} checks${warned})`);
    if (!r.passed) for (const failure of r.failures) t.diagnostic(`${label}:   - ${failure}`);
    for (const warning of r.warnings) t.diagnostic(`${label}:   warning ${warning}`);
  }
}

test('the suite runs the whole 2026-07-28 requirement set, directly and through the gateway', async (t) => {
  const [fixtureResults, gatewayResults] = await Promise.all([direct, viaGateway]);
  const passing = fixtureResults.filter((r) => r.passed).map((r) => `${r.scenario} [${r.suite}]`);
  t.diagnostic(`direct (legacy-only fixture): ${counts(fixtureResults)}: ${passing.join(', ') || 'none'}`);
  assert.deepEqual(ran(fixtureResults), EXPECTED, 'the direct run ran other scenarios');
  assert.deepEqual(ran(gatewayResults), EXPECTED, 'the run through the gateway ran other scenarios');
});

test('through Switchboard (/mcp/<server>), no 2026-07-28 scenario the fixture passes is lost', async (t) => {
  const [fixtureResults, gatewayResults] = await Promise.all([direct, viaGateway]);
  summarise(t, 'via gateway', gatewayResults);
  const gateway = new Map(gatewayResults.map((r) => [r.scenario, r]));
  const lost = fixtureResults
    .filter((r) => r.passed)
    .map((r) => gateway.get(r.scenario) ?? { ...r, passed: false, failures: ['not run through the gateway'] })
    .filter((r) => !r.passed);
  assert.deepEqual(
    lost.map((r) => r.scenario),
    [],
    `${lost.length} scenario(s) pass against the fixture but fail through the gateway:\n${explain(lost)}`,
  );
});

test('through Switchboard, the fixture’s requests to its client pass as input_required rounds', async () => {
  const gatewayResults = await viaGateway;
  const translated = gatewayResults.filter(
    (r) => r.scenario.startsWith('input-required-result-') || r.scenario === 'server-stateless',
  );
  assert.equal(translated.length, 15, 'the scenarios of the translation all ran');
  const failed = translated.filter((r) => !r.passed);
  assert.deepEqual(
    failed.map((r) => r.scenario),
    [],
    `${failed.length} scenario(s) of the input_required translation fail through the gateway:\n${explain(failed)}`,
  );
});

test('through Switchboard, the scenarios the suite runs as pending pass too, header validation among them', async () => {
  const gatewayResults = await viaGateway;
  const pending = gatewayResults.filter((r) => r.suite === 'pending');
  assert.deepEqual(
    pending.map((r) => r.scenario).sort(),
    Object.entries(MODERN_UNSCORED_SCENARIOS)
      .filter(([, standing]) => standing === 'pending')
      .map(([scenario]) => scenario)
      .sort(),
  );
  const failed = pending.filter((r) => !r.passed);
  assert.deepEqual(
    failed.map((r) => r.scenario),
    [],
    `${failed.length} pending scenario(s) fail through the gateway:\n${explain(failed)}`,
  );
});
