import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { after, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ManagedServer } from '../../../main/supervisor/managed-server.ts';
import {
  buildChildEnv,
  CommandNotFoundError,
  resolveChildPath,
  resolveCommand,
  type SpawnEnvInputs,
} from '../../../main/supervisor/spawn-env.ts';
import { captureLogger, fixtureConfig, stateIs, tempDirs, waitForState } from './helpers.ts';

function inputs(overrides: Partial<SpawnEnvInputs> = {}): SpawnEnvInputs {
  return {
    parentEnv: {
      PATH: '/usr/bin:/bin',
      HOME: '/home/ada',
      USER: 'ada',
      LANG: 'en_GB.UTF-8',
      LC_ALL: 'en_GB.UTF-8',
      TERM: 'xterm',
      AWS_SECRET_ACCESS_KEY: 'secret',
      GITHUB_TOKEN: 'ghp_x',
      BASH_FUNC_x: '() { :; }',
    },
    platform: 'linux',
    execPath: '/opt/node/bin/node',
    homeDir: '/home/ada',
    dirExists: (dir) => ['/usr/local/bin', '/home/ada/.local/bin', '/home/ada/.cargo/bin'].includes(dir),
    ...overrides,
  };
}

test('the child env is the allow-list plus a resolved PATH plus the configured env', () => {
  const env = buildChildEnv({ API_URL: 'https://example.test', LANG: 'C' }, inputs());
  assert.deepEqual(env, {
    HOME: '/home/ada',
    USER: 'ada',
    LANG: 'C',
    LC_ALL: 'en_GB.UTF-8',
    TERM: 'xterm',
    PATH: '/usr/bin:/bin:/opt/node/bin:/usr/local/bin:/home/ada/.local/bin:/home/ada/.cargo/bin',
    API_URL: 'https://example.test',
  });
});

test('a configured PATH wins over the resolved one', () => {
  assert.equal(buildChildEnv({ PATH: '/only/here' }, inputs())['PATH'], '/only/here');
});

test('a bare dock PATH still finds node and common tool directories, without duplicates', () => {
  const path = resolveChildPath(inputs({ parentEnv: { PATH: '/usr/bin:/bin:/usr/local/bin:/usr/bin' } }));
  assert.equal(path, '/usr/bin:/bin:/usr/local/bin:/opt/node/bin:/home/ada/.local/bin:/home/ada/.cargo/bin');
  assert.equal(resolveChildPath(inputs({ parentEnv: {} })).split(':')[0], '/opt/node/bin');
});

test('Windows names are matched without regard to case and keep their system variables', () => {
  const env = buildChildEnv(
    { path: 'C:\\tools' },
    inputs({
      platform: 'win32',
      execPath: 'C:\\node\\node.exe',
      homeDir: '',
      dirExists: () => false,
      parentEnv: { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', ComSpec: 'cmd.exe', SECRET: 'x' },
    }),
  );
  assert.deepEqual(env, { SystemRoot: 'C:\\Windows', ComSpec: 'cmd.exe', path: 'C:\\tools' });
});

test('a command is resolved over PATH, and a missing one is named with the directories searched', () => {
  const executables = new Set(['/opt/node/bin/npx', '/srv/app/run.sh']);
  const base = { platform: 'linux' as const, cwd: '/srv/app', isExecutable: (f: string) => executables.has(f) };
  const env = { PATH: '/usr/bin:/opt/node/bin' };
  assert.equal(resolveCommand('npx', { ...base, env }), '/opt/node/bin/npx');
  assert.equal(resolveCommand('./run.sh', { ...base, env }), '/srv/app/run.sh');
  assert.throws(
    () => resolveCommand('uvx', { ...base, env }),
    (error: unknown) =>
      error instanceof CommandNotFoundError &&
      error.message.startsWith('command "uvx" not found on PATH (searched: /usr/bin:/opt/node/bin)'),
  );
  assert.throws(() => resolveCommand('./missing.sh', { ...base, env }), /command "\.\/missing\.sh" not found/);
});

test('Windows commands are found through PATHEXT', () => {
  const found = resolveCommand('npx', {
    platform: 'win32',
    env: { Path: 'C:\\node', PATHEXT: '.EXE;.CMD' },
    cwd: 'C:\\',
    isExecutable: (f) => f === 'C:\\node\\npx.CMD',
  });
  assert.equal(found, 'C:\\node\\npx.CMD');
});

const dirs = tempDirs();
after(() => dirs.cleanup());

test('T41 servers get only the environment they are configured with, in their configured cwd', async () => {
  process.env['SECRET_X'] = 'sk-test-0123456789abcdef0123456789abcdef';
  const server = new ManagedServer({
    name: 'env-dump',
    config: fixtureConfig('echo', { env: { CONFIGURED_Y: 'yes' }, cwd: dirs.root }),
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: captureLogger().logger,
  });
  try {
    await server.start();
    await waitForState(server, stateIs('running'));
    const result = (await server.client!.callTool({ name: 'env', arguments: {} })) as CallToolResult;
    const first = result.content[0];
    assert.ok(first?.type === 'text');
    const dump = JSON.parse(first.text) as { env: Record<string, string>; cwd: string };
    assert.equal(dump.env['SECRET_X'], undefined);
    assert.equal(dump.env['CONFIGURED_Y'], 'yes');
    const allowed = new Set([
      'HOME',
      'USER',
      'LOGNAME',
      'SHELL',
      'LANG',
      'TZ',
      'TMPDIR',
      'TEMP',
      'TMP',
      'TERM',
      'PATH',
    ]);
    for (const name of Object.keys(dump.env)) {
      assert.ok(allowed.has(name) || name.startsWith('LC_') || name === 'CONFIGURED_Y', `unexpected variable ${name}`);
    }
    assert.ok(dump.env['PATH']?.split(':').includes(process.execPath.replace(/\/node$/, '')));
    assert.equal(realpathSync(dump.cwd), realpathSync(dirs.root));
  } finally {
    delete process.env['SECRET_X'];
    await server.dispose();
  }
});
