// The instances of an isolated server, against real processes: each is started like the server itself (secrets
// resolved at its own start, a pid file and a stderr log of its own, its own process group), is gone with the
// server's stop, and what a crashed gateway left of them is reaped at the next start.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../../main/config/schema.ts';
import { InstanceLimitError, type InstanceLease } from '../../../main/supervisor/instance-pool.ts';
import type { ManagedServer } from '../../../main/supervisor/managed-server.ts';
import { readPidFile } from '../../../main/supervisor/pid-file.ts';
import {
  GroupJanitor,
  eventually,
  liveGroupMembers,
  managedServers,
  stateIs,
  stdioConfig,
  tempDirs,
  waitForState,
} from './helpers.ts';

const STATEFUL = new URL('../../fixtures/stateful-server.ts', import.meta.url).pathname;

const dirs = tempDirs();
const servers: ManagedServer[] = [];
const janitor = new GroupJanitor();
after(async () => {
  await Promise.allSettled(servers.map((s) => s.dispose()));
  janitor.killAll();
  dirs.cleanup();
});

const managed = managedServers(dirs, (server) => servers.push(server), { random: () => 0.5 });

function stateful(extra: Record<string, unknown> = {}): ServerConfig {
  return stdioConfig({ command: process.execPath, args: [STATEFUL], isolation: 'per-session', ...extra });
}

async function tool(lease: InstanceLease, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await lease.client.callTool({ name, arguments: args })) as CallToolResult;
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

test('an instance is started like the server: secrets resolved at its start, own pid file, own stderr log', async () => {
  let token = 'first-value';
  const server = managed('iso', stateful({ env: { TOKEN: '${secret:TOKEN}' } }), {
    resolveSecrets: async (config) => ({
      ok: true,
      config: { ...config, env: { TOKEN: token } } as ServerConfig,
      secrets: new Map([['TOKEN', token]]),
    }),
  });
  await server.start();
  janitor.add(server.pid);
  token = 'second-value';
  const a = await server.instances.lease({ kind: 'session', id: 'a' });
  const b = await server.instances.lease({ kind: 'session', id: 'b' });
  const [pidA, pidB] = [Number(await tool(a, 'whoami')), Number(await tool(b, 'whoami'))];
  janitor.add(pidA);
  janitor.add(pidB);
  assert.equal(server.instances.size, 2);
  assert.deepEqual(new Set(server.instances.pids), new Set([pidA, pidB]));
  assert.ok(!server.instances.pids.includes(server.pid!), 'an instance is the shared process');
  // Each instance took the secret as it was when it started; the shared instance keeps the one it started with.
  assert.equal(await tool(a, 'env', { name: 'TOKEN' }), 'second-value');
  const shared = (await server.client!.callTool({ name: 'env', arguments: { name: 'TOKEN' } })) as CallToolResult;
  assert.deepEqual(shared.content, [{ type: 'text', text: 'first-value' }]);
  assert.deepEqual(
    [readPidFile(dirs.runDir, 'iso.i0')?.pid, readPidFile(dirs.runDir, 'iso.i1')?.pid].sort(),
    [pidA, pidB].sort(),
  );
  assert.equal(readPidFile(dirs.runDir, 'iso')?.pid, server.pid);
  // The instance's stderr is its own log, never the shared instance's; one that dies is forgotten.
  const slotA = readPidFile(dirs.runDir, 'iso.i0')?.pid === pidA ? 0 : 1;
  await tool(a, 'exit', { code: 0 }).catch(() => {});
  await eventually(() => server.instances.size === 1, 10_000, 'the dead instance to be forgotten');
  assert.match(readFileSync(join(dirs.logDir, `iso.i${slotA}.log`), 'utf8'), /exiting with 0/);
  assert.doesNotMatch(readFileSync(server.logPath, 'utf8'), /exiting with 0/);
  assert.equal(a.ended(), 'it exited with code 0. Last stderr: exiting with 0');

  await server.stop();
  assert.deepEqual(liveGroupMembers(pidB), [], 'stop left an instance running');
  assert.equal(server.instances.size, 0);
  assert.ok(!existsSync(join(dirs.runDir, 'iso.i0.pid')) && !existsSync(join(dirs.runDir, 'iso.i1.pid')));
});

test('instances a crashed gateway left behind are killed when the server next starts', async () => {
  // The crashed run: a server with an instance, never stopped (and never restarted, so it cannot interfere).
  const crashed = managed('orphans', stateful({ restart: { mode: 'never' } }));
  await crashed.start();
  janitor.add(crashed.pid);
  const left = Number(await tool(await crashed.instances.lease({ kind: 'client', id: 'c' }), 'whoami'));
  janitor.add(left);
  assert.notDeepEqual(liveGroupMembers(left), []);

  const next = managed('orphans', stateful());
  await next.start();
  janitor.add(next.pid);
  await waitForState(next, stateIs('running'));
  assert.deepEqual(liveGroupMembers(left), [], 'the instance left by the crashed run still runs');
  await next.stop();
});

test('at the limit a new owner is refused; a request already given up starts nothing', async () => {
  const server = managed('few', stateful({ instances: { max: 1 } }));
  await server.start();
  janitor.add(server.pid);
  const a = await server.instances.lease({ kind: 'session', id: 'a' });
  janitor.add(Number(await tool(a, 'whoami')));
  await assert.rejects(server.instances.lease({ kind: 'session', id: 'b' }), (error: unknown) => {
    assert.ok(error instanceof InstanceLimitError);
    assert.equal(error.max, 1);
    assert.match(error.message, /servers\.few\.instances\.max/);
    return true;
  });
  // The owner that has an instance keeps getting it.
  const again = await server.instances.lease({ kind: 'session', id: 'a' });
  assert.equal(await tool(again, 'whoami'), await tool(a, 'whoami'));
  const given = new AbortController();
  given.abort(new Error('the session closed'));
  await server.instances.end({ kind: 'session', id: 'a' });
  await assert.rejects(server.instances.lease({ kind: 'session', id: 'c' }, given.signal), /the session closed/);
  assert.equal(server.instances.size, 0);
  await server.stop();
});
