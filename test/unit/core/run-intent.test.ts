// A server started or stopped by hand stays so: the choice is written to config.json before it is carried out,
// and a core started again on the same data directory (after a quit, a crash of the app or a reboot) runs exactly
// the servers meant to run. Real cores, real stdio servers.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { writeConfig } from '../../../main/config/write-config.ts';
import { Core } from '../../../main/core/core.ts';
import { recordRunIntent } from '../../../main/core/run-intent.ts';
import { silentLogger } from '../../../main/log/logger.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function startCore(dataDir: string): Promise<Core> {
  const started = await Core.start({ dataDir, logger: silentLogger, port: 0 });
  if (!started.ok) throw new Error(started.error);
  return started.core;
}

function waitFor(core: Core, server: string, wanted: ServerState['state'], timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => core.supervisor.get(server)?.state.state === wanted;
    if (check()) return resolve();
    const timer = setTimeout(() => {
      core.supervisor.off('state', listener);
      reject(new Error(`${server} did not become ${wanted}; now ${core.supervisor.get(server)?.state.state}`));
    }, timeoutMs);
    const listener = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      core.supervisor.off('state', listener);
      resolve();
    };
    core.supervisor.on('state', listener);
  });
}

const servers = async (dataDir: string) =>
  (JSON.parse(await readFile(dataDirPaths(dataDir).config, 'utf8')) as { servers: Record<string, object> }).servers;

test('a stop and a start by hand are written to config.json and hold for the next core on the same data', async (t) => {
  // Hooks run in the order they are added: the core must stop before its data directory is removed.
  let core: Core | undefined;
  t.after(() => core?.stop());
  const dataDir = await makeTempDir(t);
  await writeConfig(dataDirPaths(dataDir).config, {
    servers: { kept: fixtureServer(), off: { ...fixtureServer(), enabled: false } },
  });
  core = await startCore(dataDir);
  await waitFor(core, 'kept', 'running');

  assert.deepEqual(await core.serverAction('kept', 'stop'), { ok: true });
  assert.equal(core.supervisor.get('kept')?.state.state, 'stopped', 'the stop is carried out before it answers');
  assert.deepEqual(await core.serverAction('off', 'start'), { ok: true });
  await waitFor(core, 'off', 'running');
  const written = await servers(dataDir);
  assert.equal((written['kept'] as { enabled?: boolean }).enabled, false);
  assert.equal(
    'enabled' in (written['off'] as object),
    false,
    'enabling drops the flag instead of writing the default',
  );
  const status = core.status().servers.map((s) => [s.name, s.enabled]);
  assert.deepEqual(status, [
    ['kept', false],
    ['off', true],
  ]);

  // The next run (after quit, crash or reboot) starts what should run and leaves the rest alone.
  await core.stop();
  core = await startCore(dataDir);
  await waitFor(core, 'off', 'running');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(core.supervisor.get('kept')?.state.state, 'stopped');

  // A restart of a server that was stopped by hand means "run it": it runs, and is recorded.
  assert.deepEqual(await core.serverAction('kept', 'restart'), { ok: true });
  await waitFor(core, 'kept', 'running');
  assert.equal('enabled' in ((await servers(dataDir))['kept'] as object), false);
});

test('recording refuses an unknown server and leaves config.json as it was', async (t) => {
  const dataDir = await makeTempDir(t);
  await writeConfig(dataDirPaths(dataDir).config, { servers: { a: fixtureServer() } });
  const before = await readFile(dataDirPaths(dataDir).config, 'utf8');
  const result = await recordRunIntent(dataDir, 'nope', false);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /no server named "nope"/);
  assert.equal(await readFile(dataDirPaths(dataDir).config, 'utf8'), before);
});
