// `serve` replaces itself once with the V8 flags that keep a long-running core's memory down (bin/switchboard.js);
// a flag the user gives for the same setting is kept instead of ours.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startServe } from './serve-process.ts';

/** The command line of a running serve, as the kernel has it after the re-exec; `nodeArgs` go before the script. */
async function serveArgs(t: TestContext, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<string[]> {
  const serve = await startServe(await makeTempDir(t), env, { nodeArgs });
  try {
    return readFileSync(`/proc/${serve.child.pid}/cmdline`, 'utf8').split('\0');
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
}

test('serve runs with a 4 MiB semi-space, without allocation-site pretenuring, without Maglev and with TurboFan from 400 calls', async (t) => {
  if (process.platform !== 'linux') return t.skip('reads /proc');
  const args = await serveArgs(t);
  assert.ok(args.includes('--max-semi-space-size=4'), args.join(' '));
  assert.ok(args.includes('--no-allocation-site-pretenuring'), args.join(' '));
  assert.ok(args.includes('--no-maglev'), args.join(' '));
  assert.ok(args.includes('--invocation-count-for-turbofan=400'), args.join(' '));
});

test("a user's own semi-space size and Maglev setting win, with V8's own tiering; pretenuring is still off", async (t) => {
  if (process.platform !== 'linux') return t.skip('reads /proc');
  // Node refuses --maglev in NODE_OPTIONS, so it comes on node's own command line.
  const args = await serveArgs(t, { NODE_OPTIONS: '--max-semi-space-size=8' }, ['--maglev']);
  assert.ok(!args.some((a) => a.startsWith('--max-semi-space-size')), args.join(' '));
  assert.deepEqual(
    args.filter((a) => a.includes('maglev')),
    ['--maglev'],
  );
  assert.ok(!args.some((a) => a.includes('turbofan')), 'with Maglev on, V8 tiers up on its own counts');
  assert.ok(args.includes('--no-allocation-site-pretenuring'), args.join(' '));
});
