// T35: `secret set` on a secret in use moves its server onto the new value without failing a call. Calls that were
// running finish on the old instance; new calls go to the new one; the old process is gone afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';
import { liveGroupMembers } from '../../unit/supervisor/helpers.ts';
import { usePrivateSecretService } from '../../helpers/secret-service.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { digestOf, whoami, type WhoAmI } from './support.ts';

const keychain = usePrivateSecretService();
const { skip } = keychain;

test('T35 rotation with 10 calls in flight and a steady stream of new ones: zero failures', { skip }, async (t) => {
  const h = await startHarness({
    servers: { rot: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:ROT_TOKEN}' } } },
  });
  try {
    const first = await runCliInProcess(['secret', 'set', 'ROT_TOKEN', '--data-dir', h.dataDir], {}, 'old-value-aaaa');
    assert.equal(first.code, 0, first.err);
    await h.waitForState('rot', (s) => s.state === 'running');
    const client = await h.connect();
    const before = await whoami(client, 'rot__whoami');
    assert.equal(before.digest, digestOf('old-value-aaaa'));

    // Ten long calls, all running on the old instance when the secret changes.
    const inFlight = Array.from({ length: 10 }, () => whoami(client, 'rot__whoami', 1_500));
    // And new calls, one after another, for as long as the rotation takes.
    const stream: WhoAmI[] = [];
    const failures: unknown[] = [];
    let streaming = true;
    const streamer = (async () => {
      while (streaming) {
        try {
          stream.push(await whoami(client, 'rot__whoami', 20));
        } catch (error) {
          failures.push(error);
          // A failing server answers at once; pausing keeps a broken rotation from spinning.
          await sleep(50);
        }
      }
    })();
    await sleep(100);
    const rotated = await runCliInProcess(
      ['secret', 'set', 'ROT_TOKEN', '--data-dir', h.dataDir],
      {},
      'new-value-bbbb',
    );
    assert.equal(rotated.code, 0, rotated.err);

    await waitUntil(
      () => stream.some((w) => w.digest === digestOf('new-value-bbbb')),
      'a call on the new value',
      20_000,
    );
    const old = await Promise.allSettled(inFlight);
    streaming = false;
    await streamer;

    const rejected = old.filter((r) => r.status === 'rejected');
    assert.deepEqual(rejected, [], 'every in-flight call completed');
    for (const r of old) {
      assert.ok(r.status === 'fulfilled');
      assert.equal(r.value.pid, before.pid, 'in-flight calls finished on the old instance');
      assert.equal(r.value.digest, digestOf('old-value-aaaa'));
    }
    assert.deepEqual(failures, [], 'no new call failed during the rotation');
    const switched = stream.findIndex((w) => w.digest === digestOf('new-value-bbbb'));
    assert.ok(
      stream.slice(switched).every((w) => w.digest === digestOf('new-value-bbbb')),
      'never back to the old value',
    );
    t.diagnostic(`${stream.length} calls during the rotation, switched at call ${switched + 1}`);

    const after = await whoami(client, 'rot__whoami');
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.digest, digestOf('new-value-bbbb'));
    await waitUntil(() => liveGroupMembers(before.pid).length === 0, 'the old instance to be stopped', 15_000);
    assert.equal(h.core.supervisor.get('rot')!.state.state, 'running');
  } catch (error) {
    if (process.env['DEBUG_ROTATION']) console.error(h.logLines.filter((l) => /rot|secret|config/.test(l)).join(''));
    throw error;
  } finally {
    await h.close();
  }
});
