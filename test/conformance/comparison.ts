// The setup both conformance comparisons share: the fixture over its own HTTP, Switchboard supervising the same
// fixture over stdio, a header-adding proxy with a real client token in front of the gateway, and the suite run
// against each in turn. The gateway run starts when the direct run is over, so the two never compete for the
// machine; each test awaits the run it reads, so a run that breaks fails only the tests that need it.
import { NODE, isRunning, startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { CONFORMANCE_FIXTURE, startHttpFixture, type FixtureProcess } from './fixture-process.ts';
import { startHeaderProxy, type HeaderProxy } from './header-proxy.ts';
import type { ScenarioResult } from './suite-runner.ts';

export const SERVER = 'conformance';

export interface Comparison {
  readonly fixture: FixtureProcess;
  readonly harness: Harness;
  readonly proxy: HeaderProxy;
  readonly direct: Promise<ScenarioResult[]>;
  readonly viaGateway: Promise<ScenarioResult[]>;
}

export async function startComparison(
  tokenName: string,
  run: (url: string) => Promise<ScenarioResult[]>,
): Promise<Comparison> {
  const fixture = await startHttpFixture();
  const harness = await startHarness({ servers: { [SERVER]: { command: NODE, args: [CONFORMANCE_FIXTURE] } } });
  await harness.waitForState(SERVER, isRunning);
  const token = await harness.mintToken(tokenName);
  const proxy = await startHeaderProxy(new URL(harness.origin), { authorization: `Bearer ${token}` });
  const direct = run(fixture.url);
  const viaGateway = direct.catch(() => []).then(() => run(`${proxy.origin}/mcp/${SERVER}`));
  for (const pending of [direct, viaGateway]) pending.catch(() => {});
  return { fixture, harness, proxy, direct, viaGateway };
}

/** Waits for both runs to settle, then stops the proxy, the gateway and the fixture. */
export async function closeComparison(comparison: Comparison | undefined): Promise<void> {
  if (comparison === undefined) return;
  await Promise.allSettled([comparison.direct, comparison.viaGateway]);
  await comparison.proxy.close();
  await comparison.harness.close();
  await comparison.fixture.close();
}
