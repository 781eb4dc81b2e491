// Real MCP servers from npm, spawned the way users configure them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Supervisor } from '../../../main/supervisor/supervisor.ts';
import {
  captureLogger,
  GroupJanitor,
  eventually,
  processesWithEnv,
  REPO_ROOT,
  stateIs,
  stdioConfig,
  tempDirs,
  waitForState,
} from './helpers.ts';

const dirs = tempDirs();
const supervisors: Supervisor[] = [];
const groups = new GroupJanitor();
after(async () => {
  await Promise.allSettled(supervisors.map((s) => s.shutdown()));
  groups.killAll();
  dirs.cleanup();
});

function supervisor(log = captureLogger()): Supervisor {
  const s = new Supervisor({
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: log.logger,
    defaultCwd: REPO_ROOT,
  });
  supervisors.push(s);
  return s;
}

const bin = (name: string): string => join(REPO_ROOT, 'node_modules', '.bin', name);

test('server-everything, server-memory and server-filesystem reach running and list their tools', async () => {
  const s = supervisor();
  await s.apply({
    everything: stdioConfig({ command: bin('mcp-server-everything') }),
    memory: stdioConfig({
      command: bin('mcp-server-memory'),
      env: { MEMORY_FILE_PATH: join(dirs.root, 'memory.jsonl') },
    }),
    filesystem: stdioConfig({ command: bin('mcp-server-filesystem'), args: [dirs.root] }),
  });
  for (const name of ['everything', 'memory', 'filesystem']) {
    const server = s.get(name)!;
    await waitForState(server, stateIs('running'), 60_000);
    groups.add(server.pid);
    const { tools } = await server.client!.listTools();
    assert.ok(tools.length > 0, `${name} lists no tools`);
  }
  assert.ok((await s.get('memory')!.client!.listTools()).tools.some((t) => t.name === 'create_entities'));
  assert.ok((await s.get('filesystem')!.client!.listTools()).tools.some((t) => t.name === 'read_text_file'));

  // server-everything registers these only for a client that declares sampling, elicitation and roots.
  const everything = s.get('everything')!;
  const conditional = ['trigger-sampling-request', 'trigger-elicitation-request', 'get-roots-list'];
  let names: string[] = [];
  const deadline = Date.now() + 10_000;
  while (!conditional.every((n) => names.includes(n)) && Date.now() < deadline) {
    names = (await everything.client!.listTools()).tools.map((t) => t.name);
    if (!conditional.every((n) => names.includes(n))) await new Promise((r) => setTimeout(r, 100));
  }
  for (const name of conditional) assert.ok(names.includes(name), `server-everything does not offer ${name}`);
  await s.shutdown();
});

test('T73 a real launcher (npx) leaves no descendant after stop or after kill -9 of the launcher', async () => {
  const marker = `SWITCHBOARD_T73_MARKER=${randomBytes(16).toString('hex')}`;
  const [key, value] = marker.split('=') as [string, string];
  const log = captureLogger();
  const s = supervisor(log);
  await s.apply({
    everything: stdioConfig({
      command: 'npx',
      args: ['--no-install', '@modelcontextprotocol/server-everything'],
      env: { [key]: value },
      cwd: REPO_ROOT,
      restart: { initialBackoffMs: 200 },
      timeouts: { startupMs: 60_000, stopGraceMs: 1_000 },
    }),
  });
  const server = s.get('everything')!;

  // After stop.
  await waitForState(server, stateIs('running'), 60_000);
  groups.add(server.pid);
  await eventually(() => processesWithEnv(marker).length >= 2, 10_000, 'the launcher and the server it started');
  await server.stop();
  await eventually(() => processesWithEnv(marker).length === 0, 5_000, 'no marked process after stop');

  // After kill -9 of the launcher: everything it started goes too (and the supervisor starts it again).
  await server.start();
  await waitForState(server, stateIs('running'), 60_000);
  groups.add(server.pid);
  await eventually(() => processesWithEnv(marker).length >= 2, 10_000, 'the launcher and the server it started');
  const before = processesWithEnv(marker);
  assert.ok(before.includes(server.pid!));
  process.kill(server.pid!, 'SIGKILL');
  await eventually(
    () => processesWithEnv(marker).every((pid) => !before.includes(pid)),
    5_000,
    `no survivor of ${before.join(', ')}`,
  );
  assert.ok(log.messages().includes('leader exited; terminating the rest of its process group'));
  await waitForState(server, (state) => state.state !== 'running', 10_000);
  await waitForState(server, stateIs('running'), 60_000);
  groups.add(server.pid);

  await s.shutdown();
  await eventually(() => processesWithEnv(marker).length === 0, 5_000, 'no marked process after shutdown');
});
