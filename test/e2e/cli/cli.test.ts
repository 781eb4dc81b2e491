// The CLI as a person meets it: every command's --help exits 0, bad input exits non-zero with a one-line reason,
// --json output parses, tokens and servers land in the data directory named by --data-dir or SWITCHBOARD_HOME,
// and commands work while an in-process core runs (which picks their changes up).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COMMANDS } from '../../../main/cli/cli.ts';
import { GATEWAY_FIXTURE, NODE, gatewayFixtureServer, isRunning, startHarness } from '../../helpers/gateway-harness.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { runBin } from './serve-process.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliInProcess(['--data-dir', dir, ...args], env);

describe('help', () => {
  test('every command’s --help exits 0 and shows its usage', async () => {
    for (const command of COMMANDS) {
      const run = await cli([...command.path, '--help']);
      assert.equal(run.code, 0, `${command.path.join(' ')} --help: ${run.err}`);
      assert.ok(run.out.includes(command.usage.split('\n')[0]!), `${command.path.join(' ')}: ${run.out}`);
      assert.equal(run.err, '');
    }
    for (const group of ['server', 'token']) {
      const run = await cli([group, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.out, new RegExp(`switchboard ${group} \\w+`));
    }
  });

  test('the real binary prints help and exits 0', async () => {
    const top = await runBin(['--help']);
    assert.equal(top.code, 0, top.err);
    for (const command of COMMANDS) assert.ok(top.out.includes(command.path.join(' ')), command.path.join(' '));
    const one = await runBin(['server', 'add', '--help']);
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, /Usage: switchboard server add NAME/);
  });
});

describe('bad input: non-zero exit and one line saying why', () => {
  const cases: { args: string[]; env?: NodeJS.ProcessEnv; reason: RegExp }[] = [
    { args: ['frobnicate'], reason: /unknown command "frobnicate"/ },
    { args: ['server', 'frobnicate'], reason: /"server" takes one of: add, list, remove, restart/ },
    { args: ['server'], reason: /^$/ },
    { args: ['server', 'remove'], reason: /expected one server name, got none/ },
    { args: ['server', 'restart'], reason: /expected one server name/ },
    { args: ['server', 'add'], reason: /expected one server name, got none/ },
    { args: ['token', 'create'], reason: /expected one client name/ },
    { args: ['token', 'revoke'], reason: /expected one client name/ },
    { args: ['server', 'add', 'x'], reason: /a command after -- \(stdio\) or --url URL/ },
    {
      args: ['server', 'add', 'x', '--env', 'NOEQUALS', '--', 'node'],
      reason: /--env expects KEY=VALUE, got "NOEQUALS"/,
    },
    { args: ['server', 'add', 'x', '--env', '=v', '--', 'node'], reason: /--env expects KEY=VALUE/ },
    {
      args: ['server', 'add', 'x', '--url', 'http://127.0.0.1:1/mcp', '--', 'node'],
      reason: /either --url or a command/,
    },
    { args: ['server', 'add', 'x', '--url', 'ftp://127.0.0.1/mcp'], reason: /http:\/\/ or https:\/\// },
    { args: ['server', 'add', 'Bad_Name', '--', 'node'], reason: /1-32 characters of a-z/ },
    { args: ['server', 'remove', 'nothere'], reason: /no server named "nothere"/ },
    { args: ['status', '--bogus'], reason: /Unknown option '--bogus'/ },
    { args: ['serve', '--port', 'abc'], reason: /--port must be a whole number/ },
    { args: ['bridge'], reason: /--client NAME is required/ },
    { args: ['bridge', '--client', 'ide'], env: { SWITCHBOARD_TOKEN: '' }, reason: /set SWITCHBOARD_TOKEN/ },
    { args: ['token', 'revoke', 'nobody'], reason: /no active client token named "nobody"/ },
    { args: ['server', 'restart', 'x'], reason: /switchboard serve is not running/ },
  ];
  for (const { args, env, reason } of cases) {
    test(`switchboard ${args.join(' ')}`, async () => {
      const run = await cli(args, env);
      assert.notEqual(run.code, 0);
      if (reason.source === '^$') return; // a bare group prints its subcommands and exits 2
      const lines = run.err.trimEnd().split('\n');
      assert.equal(lines.length, 1, `more than one line: ${run.err}`);
      assert.match(lines[0]!, reason);
    });
  }

  test('the real binary: unknown command exits 2 with one line on stderr', async () => {
    const run = await runBin(['--data-dir', dir, 'frobnicate']);
    assert.equal(run.code, 2);
    assert.equal(run.out, '');
    assert.equal(run.err.trimEnd().split('\n').length, 1);
    assert.match(run.err, /^switchboard: unknown command "frobnicate"/);
  });
});

describe('data directory and --json', () => {
  test('token create --json prints {"token": ...}; token list --json never shows it', async () => {
    const created = await cli(['token', 'create', 'ide', '--json']);
    assert.equal(created.code, 0, created.err);
    const parsed = JSON.parse(created.out) as { token: string; name: string };
    assert.equal(parsed.name, 'ide');
    assert.match(parsed.token, /\S{20,}/);
    const listed = await cli(['token', 'list', '--json']);
    const tokens = JSON.parse(listed.out) as { name: string }[];
    assert.deepEqual(
      tokens.map((t) => t.name),
      ['ide'],
    );
    assert.ok(!listed.out.includes(parsed.token));
    assert.ok(!readFileSync(join(dir, 'tokens.json'), 'utf8').includes(parsed.token));
  });

  test('server add/list/remove --json parse, and write config.json in --data-dir', async () => {
    const added = await cli(['server', 'add', 'echo', '--json', '--env', 'A=1', '--', NODE, GATEWAY_FIXTURE]);
    assert.deepEqual(JSON.parse(added.out), { added: 'echo' });
    const remote = await cli([
      'server',
      'add',
      'far',
      '--url',
      'http://127.0.0.1:9/mcp',
      '--header',
      'X-Team=core',
      '--json',
    ]);
    assert.deepEqual(JSON.parse(remote.out), { added: 'far' });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, unknown> };
    // A new stdio server starts on first use; a remote one keeps the default (`always`) unless told.
    assert.deepEqual(config.servers.echo, {
      command: NODE,
      args: [GATEWAY_FIXTURE],
      env: { A: '1' },
      start: 'on-demand',
    });
    assert.deepEqual(config.servers.far, { url: 'http://127.0.0.1:9/mcp', headers: { 'X-Team': 'core' } });
    const rows = JSON.parse((await cli(['server', 'list', '--json'])).out) as {
      name: string;
      transport: string;
      isolation: string;
      instances: number;
    }[];
    assert.deepEqual(
      rows.map((r) => [r.name, r.transport, r.isolation, r.instances]),
      [
        ['echo', 'stdio', 'shared', 0],
        ['far', 'http', 'shared', 0],
      ],
    );
    const status = JSON.parse((await cli(['status', '--json'])).out) as unknown;
    // Nothing runs: no state, no pid, no era.
    const offline = { enabled: true, state: null, pid: null, era: null, isolation: 'shared', instances: 0 };
    assert.deepEqual(status, {
      running: false,
      servers: [
        { name: 'echo', transport: 'stdio', ...offline },
        { name: 'far', transport: 'http', ...offline },
      ],
      secrets: [],
    });
    assert.deepEqual(JSON.parse((await cli(['server', 'remove', 'far', '--json'])).out), { removed: 'far' });
  });

  test('token create --expires records the expiry; a bad or past date is refused', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const made = await cli(['token', 'create', 'dated', '--expires', expires, '--json']);
    assert.equal(made.code, 0, made.err);
    const listed = JSON.parse((await cli(['token', 'list', '--json'])).out) as { name: string; expiresAt: string }[];
    assert.equal(listed.find((t) => t.name === 'dated')?.expiresAt, expires);
    const bad = await cli(['token', 'create', 'baddate', '--expires', 'next tuesday']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--expires takes a date/);
    const past = await cli(['token', 'create', 'past', '--expires', '2001-01-01']);
    assert.equal(past.code, 1);
    assert.equal(past.err.trim().split('\n').length, 1);
  });

  test('SWITCHBOARD_HOME picks the data directory; --data-dir wins over it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'switchboard-home-'));
    try {
      const viaHome = await runCliInProcess(['token', 'create', 'homer', '--json'], { SWITCHBOARD_HOME: home });
      assert.equal(viaHome.code, 0, viaHome.err);
      assert.ok(existsSync(join(home, 'tokens.json')));
      const both = await runCliInProcess(['--data-dir', dir, 'server', 'list', '--json'], { SWITCHBOARD_HOME: home });
      assert.deepEqual(
        (JSON.parse(both.out) as { name: string }[]).map((r) => r.name),
        ['echo'],
      );
      const homeOnly = await runBin(['server', 'list', '--json'], { SWITCHBOARD_HOME: home });
      assert.equal(homeOnly.code, 0, homeOnly.err);
      assert.deepEqual(JSON.parse(homeOnly.out), []);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('while a core runs on the same data directory', () => {
  test('status, server add/remove/restart and token revoke reach the running core', async () => {
    const h = await startHarness({ servers: { one: gatewayFixtureServer('tools') } });
    const run = (args: string[]) => runCliInProcess(['--data-dir', h.dataDir, ...args]);
    try {
      await h.waitForState('one', isRunning);
      const status = JSON.parse((await run(['status', '--json'])).out) as { running: boolean; gatewayUrl: string };
      assert.equal(status.running, true);
      assert.equal(status.gatewayUrl, h.url);
      assert.match((await run(['status'])).out, /one\s+running \(pid \d+\)/);

      // A new stdio server starts on demand: idle until used, or warmed up ahead of use with `server start`.
      assert.equal((await run(['server', 'add', 'two', '--', NODE, GATEWAY_FIXTURE])).code, 0);
      await h.waitForState('two', (s) => s.state === 'idle');
      assert.match((await run(['status'])).out, /two\s+idle \(stopped, starts on use\)/);
      const warmed = await run(['server', 'start', 'two', '--json']);
      assert.deepEqual(JSON.parse(warmed.out), { starting: 'two' });
      await h.waitForState('two', isRunning);
      const rows = JSON.parse((await run(['server', 'list', '--json'])).out) as {
        name: string;
        state: { state: string };
      }[];
      assert.deepEqual(
        rows.map((r) => [r.name, r.state.state]),
        [
          ['one', 'running'],
          ['two', 'running'],
        ],
      );

      const pid = h.core.supervisor.get('one')!.pid;
      const restarted = await run(['server', 'restart', 'one', '--json']);
      assert.deepEqual(JSON.parse(restarted.out), { restarted: 'one' });
      await waitUntil(
        () => h.core.supervisor.get('one')!.pid !== pid && isRunning(h.core.supervisor.get('one')!.state),
        'one to restart',
      );
      const unknown = await run(['server', 'restart', 'nope']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /no server named "nope"; configured: one, two/);

      assert.equal((await run(['server', 'remove', 'two'])).code, 0);
      await waitUntil(() => h.core.supervisor.get('two') === undefined, 'two to be removed');

      const token = await h.mintToken('temp');
      const client = await h.connect({ token });
      assert.ok((await client.listTools()).tools.length > 0);
      assert.equal((await run(['token', 'revoke', 'temp'])).code, 0);
      await waitUntil(
        async () =>
          (await client.listTools().then(
            () => false,
            () => true,
          )) || undefined,
        'the revoked token to be refused',
      );
    } finally {
      await h.close();
    }
  });
});
