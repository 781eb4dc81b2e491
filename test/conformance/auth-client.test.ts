// MCP authorization as a client, proven with the official suite's client mode: test/conformance/oauth-client.ts
// connects the way the supervisor connects a remote server, and must pass every `auth/*` scenario of 2025-11-25
// and the 2025-03-26 back-compat ones. The 2026-07-28 draft scenarios (iss checks, issuer binding, migration,
// resource mismatch) are run too, at the 2025-11-25 wire, since the checks they make are checks we make.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { REPO } from '../helpers/gateway-harness.ts';
import { runClientScenario } from './suite-runner.ts';

const COMMAND = `${process.execPath} ${join(REPO, 'test/conformance/oauth-client.ts')}`;

const REQUIRED_2025_11_25 = [
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
];
const BACK_COMPAT_2025_03_26 = ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'];
const DRAFT_2026_07_28 = [
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  'auth/authorization-server-migration',
  'auth/iss-supported',
  'auth/iss-not-advertised',
  'auth/iss-supported-missing',
  'auth/iss-wrong-issuer',
  'auth/iss-unexpected',
  'auth/iss-normalized',
  'auth/metadata-issuer-mismatch',
];

async function runAll(t: TestContext, scenarios: readonly string[], force?: string): Promise<void> {
  const failed: string[] = [];
  for (const scenario of scenarios) {
    const result = await runClientScenario({
      command: COMMAND,
      scenario,
      ...(force === undefined ? {} : { forceSpecVersion: force }),
    });
    t.diagnostic(`${result.passed ? 'pass' : 'FAIL'} ${scenario}: ${result.checks} checks`);
    if (!result.passed) failed.push(`${scenario}: ${[...result.failures, ...result.warnings].join('; ')}`);
  }
  t.diagnostic(`${scenarios.length - failed.length}/${scenarios.length} scenarios passed`);
  assert.deepEqual(failed, []);
}

test('every auth scenario of 2025-11-25 passes', (t) => runAll(t, REQUIRED_2025_11_25));

test('the 2025-03-26 back-compat auth scenarios pass', (t) => runAll(t, BACK_COMPAT_2025_03_26));

test('the 2026-07-28 draft auth scenarios pass at the 2025-11-25 wire', (t) =>
  runAll(t, DRAFT_2026_07_28, '2025-11-25'));
