// Secrets in a real Secret Service (a private gnome-keyring): the CLI stores them there and only metadata in
// config.json; a server referring to one gets it at spawn time, and is blocked, naming it, while it is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';
import { usePrivateSecretService } from '../../helpers/secret-service.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { digestOf, whoami } from './support.ts';
import { writeConfig } from '../../../main/config/write-config.ts';

const keychain = usePrivateSecretService();
const { skip } = keychain;

/** What the keychain itself holds for a secret, read with the desktop's own tool rather than our code. */
function keychainValue(name: string): string | null {
  const found = spawnSync('secret-tool', ['lookup', 'service', 'Switchboard', 'username', name], {
    env: { ...process.env, ...keychain.service().env },
    encoding: 'utf8',
  });
  return found.status === 0 ? found.stdout : null;
}

test('secret set/list/rm: the value goes to the keychain, metadata to config.json, never argv', { skip }, async (t) => {
  const dir = await makeTempDir(t);
  const written = await writeConfig(dataDirPaths(dir).config, {
    servers: { api: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:API_TOKEN}' }, enabled: false } },
  });
  assert.ok(written.ok);
  const value = 'tok-4b1f9e0c-value';

  const asArg = await runCliInProcess(['secret', 'set', 'API_TOKEN', value, '--data-dir', dir], {});
  assert.equal(asArg.code, 2, 'a value on the command line is refused');
  assert.equal(keychainValue('API_TOKEN'), null);

  const set = await runCliInProcess(
    ['secret', 'set', 'API_TOKEN', '--expires', '2030-01-31', '--data-dir', dir],
    {},
    `${value}\n`,
  );
  assert.equal(set.code, 0, set.err);
  assert.match(set.out, /stored in the OS keychain \(Secret Service\); a running gateway restarts api/);
  assert.equal(keychainValue('API_TOKEN'), value, 'stored without the trailing newline');

  const config = await readFile(dataDirPaths(dir).config, 'utf8');
  assert.equal(config.includes(value), false);
  const meta = JSON.parse(config).secrets.API_TOKEN;
  assert.equal(meta.expires, '2030-01-31T00:00:00.000Z');
  assert.ok(Date.parse(meta.created) > 0);

  const list = await runCliInProcess(['secret', 'list', '--json', '--data-dir', dir]);
  assert.equal(list.code, 0, list.err);
  assert.equal(list.out.includes(value), false);
  const listed = JSON.parse(list.out);
  assert.deepEqual(
    listed.secrets.map((s: { name: string; usedBy: string[] }) => [s.name, s.usedBy]),
    [['API_TOKEN', ['api']]],
  );

  const again = await runCliInProcess(['secret', 'set', 'API_TOKEN', '--data-dir', dir], {}, 'second-value-xyz');
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /replaced/);
  const rotated = JSON.parse(await readFile(dataDirPaths(dir).config, 'utf8')).secrets.API_TOKEN;
  assert.ok(rotated.rotated !== undefined && rotated.created === meta.created);
  assert.equal(rotated.expires, undefined, 'an old expiry is not carried over to a new value');

  const refused = await runCliInProcess(['secret', 'rm', 'API_TOKEN', '--data-dir', dir]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /"API_TOKEN" is used by api/);
  assert.equal(keychainValue('API_TOKEN'), 'second-value-xyz');

  const forced = await runCliInProcess(['secret', 'rm', 'API_TOKEN', '--force', '--data-dir', dir]);
  assert.equal(forced.code, 0, forced.err);
  assert.equal(keychainValue('API_TOKEN'), null);
  assert.equal(JSON.parse(await readFile(dataDirPaths(dir).config, 'utf8')).secrets.API_TOKEN, undefined);

  const empty = await runCliInProcess(['secret', 'set', 'EMPTY', '--data-dir', dir], {}, '\n');
  assert.equal(empty.code, 1);
  assert.match(empty.err, /the value is empty/);
});

test('a server whose secret is missing is blocked naming it, and starts with it once it is set', { skip }, async () => {
  const h = await startHarness({
    servers: { api: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:LATE_TOKEN}' } } },
  });
  try {
    const blocked = await h.waitForState('api', (s) => s.state === 'blocked');
    assert.ok(blocked.state === 'blocked' && blocked.reason === 'secret-missing');
    assert.match(blocked.message, /secret "LATE_TOKEN" is not in the OS keychain \(Secret Service\)/);
    assert.match(blocked.message, /switchboard secret set LATE_TOKEN/);
    const client = await h.connect();
    const refused = await client.callTool({ name: 'api__whoami', arguments: { ms: 0 } }).catch((e: Error) => e);
    assert.match(String(refused instanceof Error ? refused.message : JSON.stringify(refused)), /LATE_TOKEN/);

    const setAt = Date.now();
    const set = await runCliInProcess(['secret', 'set', 'LATE_TOKEN', '--data-dir', h.dataDir], {}, 'late-value-77aa');
    assert.equal(set.code, 0, set.err);
    await h.waitForState('api', (s) => s.state === 'running');
    const me = await whoami(await h.connect(), 'api__whoami');
    assert.equal(me.digest, digestOf('late-value-77aa'));
    const env = await readFile(join(h.dataDir, 'config.json'), 'utf8');
    assert.equal(env.includes('late-value-77aa'), false);
    // When it was last used is metadata too, kept in the config.
    const lastUsed = await waitUntil(async () => {
      const config = JSON.parse(await readFile(join(h.dataDir, 'config.json'), 'utf8'));
      return config.secrets.LATE_TOKEN.lastUsed as string | undefined;
    }, 'lastUsed to be recorded');
    assert.ok(Date.parse(lastUsed) >= setAt - 1_000, `${lastUsed} is before the secret was set`);
  } finally {
    await h.close();
  }
});

test(
  'expiry: status shows it, errors of a running server carry it, and the next start is blocked',
  { skip },
  async () => {
    const h = await startHarness({
      servers: { api: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:SHORT_LIVED}' } } },
    });
    try {
      const expires = new Date(Date.now() + 1_500);
      const set = await runCliInProcess(
        ['secret', 'set', 'SHORT_LIVED', '--expires', expires.toISOString(), '--data-dir', h.dataDir],
        {},
        'short-lived-value',
      );
      assert.equal(set.code, 0, set.err);
      await h.waitForState('api', (s) => s.state === 'running');
      const client = await h.connect();
      const before = await client.callTool({ name: 'api__leak', arguments: { how: 'error' } });
      assert.equal(before.isError, true);
      assert.doesNotMatch(JSON.stringify(before.content), /expired/);
      const soon = h.core.status().secrets.find((s) => s.name === 'SHORT_LIVED');
      assert.equal(soon?.expiry.state, 'expiring');

      await waitUntil(() => Date.now() > expires.getTime(), 'the expiry to pass', 10_000);
      const after = await client.callTool({ name: 'api__leak', arguments: { how: 'error' } });
      assert.equal(after.isError, true);
      const note = (after.content as { type: string; text: string }[]).at(-1)!;
      assert.match(note.text, /^note from Switchboard: secret "SHORT_LIVED" expired on .*secret set SHORT_LIVED/);
      const fine = await client.callTool({ name: 'api__echo', arguments: { text: 'fine' } });
      assert.deepEqual(fine.content, [{ type: 'text', text: 'fine' }], 'a call that succeeds is left as it is');
      assert.equal(h.core.status().secrets.find((s) => s.name === 'SHORT_LIVED')?.expiry.state, 'expired');
      const status = await runCliInProcess(['status', '--data-dir', h.dataDir]);
      assert.match(status.out, /secret SHORT_LIVED\s+EXPIRED on/);

      await h.core.supervisor.restart('api');
      const blocked = h.core.supervisor.get('api')!.state;
      assert.ok(blocked.state === 'blocked' && blocked.reason === 'secret-expired', JSON.stringify(blocked));
      assert.match(blocked.message, /secret "SHORT_LIVED" expired on/);
    } finally {
      await h.close();
    }
  },
);
