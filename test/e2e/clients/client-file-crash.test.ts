// T72, its last part: killing the app in the middle of writing a client's config file leaves the old file or the
// new one complete, never a truncated or mixed one. A child rewrites Cursor's file (2 MB of other servers, so a
// write takes long enough to be cut) with our entry added and removed in turn, and is killed with SIGKILL at
// random moments; after each kill the file must be one of the two versions byte for byte.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const CHILD = join(import.meta.dirname, '..', '..', 'fixtures', 'client-file-crash-child.ts');
const KILLS = 8;

test('T72 a kill during a client-file write leaves the old or the new file whole', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'switchboard-t72-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  await mkdir(join(home, '.cursor'));
  const file = join(home, '.cursor', 'mcp.json');
  const others = Object.fromEntries(
    Array.from({ length: 4000 }, (_, i) => [`server-${i}`, { command: 'node', args: [`s${i}.js`, 'x'.repeat(400)] }]),
  );
  const without = JSON.stringify({ mcpServers: others }, null, 2) + '\n';
  const doc = {
    mcpServers: { ...others, switchboard: { command: '/usr/bin/switchboard', args: ['bridge', '--client', 'cursor'] } },
  };
  const withEntry = JSON.stringify(doc, null, 2) + '\n';
  await writeFile(file, without);

  let cutMidWrite = 0;
  for (let kill = 0; kill < KILLS; kill += 1) {
    const child = spawn(process.execPath, [CHILD, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Some writes first, then a kill at a moment nobody chose.
    while (!/end 2\n/.test(out)) await sleep(5);
    await sleep(Math.random() * 150);
    child.kill('SIGKILL');
    await exited;
    const lines = out.trim().split('\n');
    if (lines.at(-1)?.startsWith('begin')) cutMidWrite += 1;
    const now = await readFile(file, 'utf8');
    assert.ok(
      now === without || now === withEntry,
      `kill ${kill + 1}: the file is neither version (${now.length} bytes)`,
    );
  }
  t.diagnostic(`${cutMidWrite} of ${KILLS} kills landed while a write was under way; the file was whole after each`);
  assert.ok(cutMidWrite > 0, 'at least one kill landed during a write');
});
