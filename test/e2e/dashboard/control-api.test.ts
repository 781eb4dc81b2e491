// The whole control contract against a real `serve`, as the dashboard uses it: a server added through the form's
// call, refused inputs named by field, its secret stored and never shown, a tool tried through the gateway and
// audited as the client `dashboard`, the record's detail, live log lines and the rest of the pages' queries.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { Answer, ControlEvent } from '../../../preload/contract.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { runBin, startServe } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';
import { controlSession } from './control-session.ts';

const SECRET = 'sk-dashboard-7f3a9c2e51';

test('the control contract over HTTP: servers, secrets, tools, audit, logs, metrics, clients and settings', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-control-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.ok((await writeConfig(dataDirPaths(dir).config, { vault: 'file', servers: {} })).ok);
  await runBin(['token', 'create', 'cursor', '--data-dir', dir]);
  const serve = await startServe(dir, { [PASSPHRASE_ENV]: 'test passphrase for the file vault' });
  t.after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });
  const session = controlSession(serve.dashboard);
  const { base, token, answers, call } = session;
  const value = <T>(answer: Answer<T>): T => {
    assert.ok(answer.ok, `expected an answer, got: ${JSON.stringify(answer)}`);
    return answer.value;
  };

  const stream = new WebSocket(`${base.replace('http:', 'ws:')}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const events: ControlEvent[] = [];
  stream.on('message', (data: Buffer) => events.push(JSON.parse(data.toString('utf8')) as ControlEvent));
  await once(stream, 'open');
  t.after(() => stream.close());

  // Refused inputs name their field: the contract's own checks, then config.json's schema.
  const fixture = fixtureServer('echo');
  const stdio = {
    transport: 'stdio' as const,
    command: fixture.command,
    args: fixture.args ?? [],
    env: {},
    enabled: true,
  };
  const empty = await call('saveServer', { name: 'echo', server: { ...stdio, command: '' }, replace: false });
  assert.ok(!empty.ok);
  assert.deepEqual(
    empty.problems?.map((p) => p.path),
    ['server.command'],
  );
  const badName = await call('saveServer', { name: 'Echo Server', server: stdio, replace: false });
  assert.ok(!badName.ok);
  assert.deepEqual(
    badName.problems?.map((p) => p.path),
    ['name'],
  );
  const badEnv = await call('saveServer', {
    name: 'echo',
    server: { ...stdio, env: { 'BAD-NAME': 'x' } },
    replace: false,
  });
  assert.ok(!badEnv.ok);
  assert.ok(
    badEnv.problems?.some((p) => p.path.startsWith('env')),
    JSON.stringify(badEnv.problems),
  );

  // A secret goes in through a masked field and never comes back; the server refers to it by name.
  value(await call('setSecret', { name: 'FIXTURE_TOKEN', value: SECRET }));
  value(
    await call('saveServer', {
      name: 'echo',
      server: { ...stdio, env: { FIXTURE_TOKEN: '${secret:FIXTURE_TOKEN}' } },
      replace: false,
    }),
  );
  const again = await call('saveServer', { name: 'echo', server: stdio, replace: false });
  assert.ok(!again.ok && /already exists/.test(again.error));
  await waitUntil(async () => {
    const status = value(await call('status', {}));
    const echo = status.servers.find((s) => s.name === 'echo');
    return echo?.state.state === 'running' && echo.tools > 0 ? echo : false;
  }, 'echo running with its tools listed');
  const config = value(await call('serverConfig', { name: 'echo' }));
  assert.deepEqual(config, { ...stdio, env: { FIXTURE_TOKEN: '${secret:FIXTURE_TOKEN}' }, start: 'always' });
  const secrets = value(await call('secrets', {}));
  assert.deepEqual(
    secrets.secrets.map((s) => [s.name, s.usedBy, s.expiry.state]),
    [['FIXTURE_TOKEN', ['echo'], 'no-expiry']],
  );
  const used = await call('removeSecret', { name: 'FIXTURE_TOKEN' });
  assert.ok(!used.ok && /used by echo/.test(used.error));

  // The Tools page: the names clients call, with their schemas; "Try it" goes through the gateway.
  const catalog = value(await call('catalog', {}));
  const echoTools = catalog.servers.find((s) => s.server === 'echo')!.tools;
  const echoTool = echoTools.find((tool) => tool.name === 'echo__echo');
  assert.ok(echoTool, `tools: ${echoTools.map((tool) => tool.name).join(', ')}`);
  assert.deepEqual(Object.keys((echoTool.inputSchema as { properties: object }).properties), ['text']);
  const tried = value(await call('callTool', { name: 'echo__echo', arguments: { text: 'tried from the dashboard' } }));
  assert.deepEqual(tried.content, [{ type: 'text', text: 'tried from the dashboard' }]);
  assert.equal(tried.isError, false);
  const invalid = value(await call('callTool', { name: 'echo__echo', arguments: { text: 42 } }));
  assert.equal(invalid.isError, true, 'a schema violation comes back as a tool error the page can show');
  const leaked = await call('callTool', { name: 'echo__leak', arguments: { how: 'error' } });
  assert.ok(leaked.ok, 'a tool that throws is a tool error, not a failed call');

  // The call is audited as the dashboard's, and its detail has the arguments and the decision.
  const page = value(await call('audit', { client: 'dashboard', tool: 'echo', limit: 10 }));
  const mine = page.events.find((e) => e.outcome === 'ok');
  assert.ok(mine, JSON.stringify(page.events));
  assert.equal(mine.method, 'tools/call');
  const detail = value(await call('auditRecord', { id: mine.id }));
  assert.deepEqual(JSON.parse(detail.arguments!), { text: 'tried from the dashboard' });
  assert.equal(detail.decision, 'allow');
  assert.equal(detail.client, 'dashboard');
  const missing = await call('auditRecord', { id: 987654321 });
  assert.ok(!missing.ok && /no audit record 987654321/.test(missing.error));

  // The log pane: the tail and live lines, with the secret masked in both.
  const logs = value(await call('logs', { name: 'echo', lines: 50 }));
  assert.ok(
    logs.lines.some((line) => line.includes('debug: using token')),
    logs.lines.join('\n'),
  );
  const live = await waitUntil(
    () => events.find((e) => e.type === 'log' && e.server === 'echo' && e.line.includes('using token')),
    'the log line on the event stream',
  );
  assert.ok(live.type === 'log');
  assert.ok(events.some((e) => e.type === 'audit' && e.record.client === 'dashboard'));

  const metrics = value(await call('metrics', { minutes: 60, server: 'echo' }));
  const calls = metrics.points.filter((p) => p.tool === 'echo').reduce((n, p) => n + p.calls, 0);
  assert.equal(calls, 2, 'both tries of echo, in the minute still in progress');
  const clients = value(await call('clients', {}));
  assert.deepEqual(
    clients.tokens.map((c) => [c.name, c.revoked]),
    [['cursor', false]],
  );
  const policy = value(await call('policy', {}));
  assert.equal(policy.source, 'local');
  assert.equal(policy.policy['defaultAction'], 'allow');
  const settings = value(await call('settings', {}));
  assert.equal(settings.dataDir, dir);
  assert.equal(settings.vault, 'file');

  // Remove: the server stops and leaves the status.
  value(await call('removeServer', { name: 'echo' }));
  await waitUntil(async () => value(await call('status', {})).servers.length === 0, 'echo removed');
  value(await call('removeSecret', { name: 'FIXTURE_TOKEN' }));
  // The core follows config.json as it changes, so the list catches up a moment later.
  await waitUntil(async () => value(await call('secrets', {})).secrets.length === 0, 'the secret gone from the list');

  // Nothing the dashboard was told, nor any event it saw, holds the secret's value.
  const everything = answers.join('\n') + JSON.stringify(events);
  assert.ok(!everything.includes(SECRET), 'a secret value reached the dashboard');
  assert.ok(everything.includes('using token'), 'the log line that held it was seen, masked');
});
