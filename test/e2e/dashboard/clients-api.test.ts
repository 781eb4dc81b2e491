// The Clients page's calls against a real `serve` whose HOME is a scratch folder holding a Cursor config: the
// client is detected, its servers are previewed for import without their secret values, imported (the literal
// secret moves to the vault), Cursor is connected, the doctor reaches the gateway as Cursor would, and disconnect
// leaves the file as it was before connect.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CSRF_HEADER } from '../../../preload/contract.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { startServe } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';
import { controlSession } from './control-session.ts';

const SECRET = 'ghp_clientsPageSecret0123456789abcdef';

test('IDE clients from the dashboard: detect, preview and import, connect, doctor, disconnect', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'switchboard-clients-api-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  const dir = join(root, 'data');
  await mkdir(join(home, '.cursor'), { recursive: true });
  const fixture = fixtureServer('echo');
  const cursorFile = join(home, '.cursor', 'mcp.json');
  const original =
    JSON.stringify(
      {
        // A server Cursor runs today, with its token written into the file.
        mcpServers: { tools: { command: fixture.command, args: fixture.args, env: { GITHUB_TOKEN: SECRET } } },
      },
      null,
      2,
    ) + '\n';
  await writeFile(cursorFile, original);
  assert.ok((await writeConfig(dataDirPaths(dir).config, { vault: 'file', servers: {} })).ok);
  const serve = await startServe(dir, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    [PASSPHRASE_ENV]: 'clients page passphrase',
  });
  t.after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });
  const { base, token, answers, value: call } = controlSession(serve.dashboard);

  const cursor = () => call('ideClients', {}).then((r) => r.clients.find((c) => c.id === 'cursor')!);
  assert.equal((await cursor()).state, 'not-connected');
  assert.equal((await call('ideClients', {})).clients.find((c) => c.id === 'zed')?.state, 'not-installed');

  // Import: the preview names the secret it will move, never its value; apply adds the server behind the gateway.
  const preview = await call('importPreview', { id: 'cursor' });
  assert.equal(preview.servers.length, 1);
  assert.equal(preview.servers[0]!.source, 'tools');
  assert.equal(preview.servers[0]!.secrets.length, 1);
  const imported = await call('importApply', { id: 'cursor', replace: false });
  assert.deepEqual(imported.added, [preview.servers[0]!.name]);
  // It waits for approval of its command (T77); approving exactly what the review shows lets it run.
  const name = imported.added[0]!;
  await waitUntil(async () => {
    const status = await call('status', {});
    return status.servers.some((s) => s.name === name && s.state['reason'] === 'approval-required');
  }, 'the imported server waiting for approval');
  const review = await call('serverApproval', { name });
  assert.equal(review.origin, 'import');
  assert.equal(review.approved, false);
  await call('approveServer', { name, fingerprint: review.fingerprint });
  await waitUntil(async () => {
    const status = await call('status', {});
    return status.servers.some((s) => s.name === imported.added[0] && s.state.state === 'running');
  }, 'the imported server running');

  // Connect, then the doctor runs the entry as Cursor would and sees the imported server's tools.
  const connected = await call('connectClient', { id: 'cursor' });
  assert.equal(connected.changed, true);
  assert.equal((await cursor()).state, 'connected');
  const written = await readFile(cursorFile, 'utf8');
  assert.match(written, /"switchboard"/);
  assert.ok(!written.includes('sbt_'), 'no token in the client file');
  const doctor = await call('doctorClient', { id: 'cursor' });
  assert.equal(doctor.ok, true, JSON.stringify(doctor.checks));
  assert.ok(
    doctor.tools?.some((name) => name.endsWith('__echo')),
    `tools: ${doctor.tools?.join(', ')}`,
  );

  const refused = await fetch(`${base}/api/connectClient`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, [CSRF_HEADER]: '1' },
    body: JSON.stringify({ id: 'notepad' }),
  });
  assert.equal(refused.status, 400);
  assert.match(((await refused.json()) as { error: string }).error, /id: must be one of claude-desktop/);

  const disconnected = await call('disconnectClient', { id: 'cursor' });
  assert.deepEqual([disconnected.removed, disconnected.revoked], [true, true]);
  assert.equal(await readFile(cursorFile, 'utf8'), original, 'the file is as it was before connect');
  assert.ok(!answers.join('\n').includes(SECRET), 'the secret value never reached the dashboard');
});
