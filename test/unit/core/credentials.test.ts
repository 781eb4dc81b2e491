// Credentials against an in-memory vault (the keychain and file vaults have their own tests) and a config the test
// steers: expiry warnings once per step, notices for expired secrets, and resolution that teaches the redactor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../../main/config/validate-config.ts';
import type { Config } from '../../../main/config/schema.ts';
import { Credentials, type SecretStanding } from '../../../main/core/credentials.ts';
import { silentLogger } from '../../../main/log/logger.ts';
import { Redactor } from '../../../main/redact/redactor.ts';
import { MemoryVault } from '../../helpers/memory-vault.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const DAY = 24 * 60 * 60 * 1000;

function config(secrets: Record<string, { expires?: string }>): Config {
  const parsed = validateConfig({
    servers: { api: { command: 'x', env: { K: '${secret:KEY}' } }, other: { command: 'y' } },
    secrets: Object.fromEntries(
      Object.entries(secrets).map(([n, m]) => [n, { created: '2026-01-01T00:00:00Z', ...m }]),
    ),
  });
  assert.ok(parsed.ok);
  return parsed.config;
}

test('expiry warnings: once at 7 days, once at 1 day, once when expired', async (t) => {
  let now = Date.parse('2026-06-01T00:00:00Z');
  const expires = new Date(now + 10 * DAY).toISOString();
  const credentials = new Credentials({
    dataDir: await makeTempDir(t),
    vault: new MemoryVault(),
    redactor: new Redactor(),
    config: () => config({ KEY: { expires } }),
    logger: silentLogger,
    now: () => now,
  });
  const events: SecretStanding[] = [];
  credentials.on('expiry', (standing) => events.push(standing));
  assert.deepEqual(credentials.checkExpiry(), []);
  now += 3 * DAY + 1;
  assert.equal(credentials.checkExpiry().length, 1);
  assert.equal(credentials.checkExpiry().length, 0, 'the 7-day warning is given once');
  now += 6 * DAY;
  credentials.checkExpiry();
  now += DAY;
  credentials.checkExpiry();
  credentials.checkExpiry();
  assert.deepEqual(
    events.map((e) => (e.expiry.state === 'expiring' ? `expiring ${e.expiry.days}` : e.expiry.state)),
    ['expiring 7', 'expiring 1', 'expired'],
  );
});

test('a server using an expired secret gets a notice naming it; others get none', async (t) => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const cfg = config({ KEY: { expires: '2026-05-01T00:00:00.000Z' } });
  const credentials = new Credentials({
    dataDir: await makeTempDir(t),
    vault: new MemoryVault(),
    redactor: new Redactor(),
    config: () => cfg,
    logger: silentLogger,
    now: () => now,
  });
  assert.match(credentials.noticeFor(cfg.servers['api']!)!, /secret "KEY" expired on 2026-05-01T00:00:00.000Z/);
  assert.equal(credentials.noticeFor(cfg.servers['other']!), null);
});

test('resolving fills the value, teaches the redactor, and blocks on a missing or expired secret', async (t) => {
  const vault = new MemoryVault();
  const redactor = new Redactor();
  let cfg = config({ KEY: {} });
  const credentials = new Credentials({
    dataDir: await makeTempDir(t),
    vault,
    redactor,
    config: () => cfg,
    logger: silentLogger,
  });
  const missing = await credentials.resolve(cfg.servers['api']!);
  assert.ok(!missing.ok && missing.reason === 'secret-missing');
  await vault.set('KEY', 'value-of-the-key');
  const resolved = await credentials.resolve(cfg.servers['api']!);
  assert.ok(resolved.ok && resolved.config.transport === 'stdio');
  assert.deepEqual(resolved.config.env, { K: 'value-of-the-key' });
  assert.equal(redactor.redact('x value-of-the-key y'), 'x [redacted: secret KEY] y');
  cfg = config({ KEY: { expires: '2020-01-01T00:00:00.000Z' } });
  const expired = await credentials.resolve(cfg.servers['api']!);
  assert.ok(!expired.ok && expired.reason === 'secret-expired');
  assert.match(expired.message, /secret "KEY" expired on 2020-01-01/);
});
