// `switchboard logs`: the real binary printing a server's log while serve writes it, following across a rotation.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer, startHarness, NODE } from '../../helpers/gateway-harness.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { BIN } from './serve-process.ts';

test('logs prints the tail, names a server that does not exist, and --follow survives a rotation', async () => {
  const h = await startHarness({ servers: { fx: fixtureServer('echo') } });
  try {
    await h.waitForState('fx', (s) => s.state === 'running');
    const client = await h.connect();
    await client.callTool({ name: 'fx__leak', arguments: { how: 'result' } });
    const path = join(dataDirPaths(h.dataDir).logs, 'fx.log');
    await waitUntil(
      () => runCliInProcess(['logs', 'fx', '--data-dir', h.dataDir]).then((r) => r.out.includes('debug: using token')),
      'the stderr line in the log',
    );
    const two = await runCliInProcess(['logs', 'fx', '--lines', '1', '--data-dir', h.dataDir]);
    assert.equal(two.out.trim().split('\n').length, 1);
    const unknown = await runCliInProcess(['logs', 'nope', '--data-dir', h.dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no server named "nope"; configured: fx/);

    const follower = spawn(NODE, [BIN, 'logs', 'fx', '--lines', '0', '--follow', '--data-dir', h.dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    follower.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      appendFileSync(path, 'line before rotation\n');
      await waitUntil(() => seen.includes('line before rotation'), 'the appended line');
      renameSync(path, `${path}.1`);
      writeFileSync(path, 'first line after rotation\n');
      await waitUntil(() => seen.includes('first line after rotation'), 'the new file followed');
    } finally {
      follower.kill('SIGINT');
    }
  } finally {
    await h.close();
  }
});
