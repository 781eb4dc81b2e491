// runCli in-process: command lookup, global options anywhere before --, and how failures are reported.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, runCli } from '../../../main/cli/cli.ts';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

test('no arguments prints the overview and exits 2; --help prints it and exits 0', async () => {
  const bare = await run([]);
  assert.equal(bare.code, 2);
  assert.match(bare.out, /Commands:/);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  for (const command of COMMANDS) assert.ok(help.out.includes(command.path.join(' ')));
});

test('command paths are unique and each usage names its words', () => {
  const paths = COMMANDS.map((c) => c.path.join(' '));
  assert.equal(new Set(paths).size, paths.length);
  for (const command of COMMANDS)
    assert.ok(command.usage.includes(`switchboard ${command.path.join(' ')}`), command.usage);
});

test('a group word alone lists its subcommands; with --help it exits 0', async () => {
  const bare = await run(['token']);
  assert.equal(bare.code, 2);
  assert.match(bare.out, /switchboard token create NAME/);
  assert.match(bare.out, /switchboard token revoke NAME/);
  assert.equal((await run(['token', '--help'])).code, 0);
});

test('global options are found anywhere before --, in both spellings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-cli-unit-'));
  try {
    const a = await run(['token', 'create', 'one', `--data-dir=${dir}`, '--json']);
    assert.equal(a.code, 0, a.err);
    assert.ok(JSON.parse(a.out).token);
    const b = await run(['--json', 'token', 'list', '--data-dir', dir]);
    assert.deepEqual(
      (JSON.parse(b.out) as { name: string }[]).map((t) => t.name),
      ['one'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--data-dir without a value is a usage error', async () => {
  const r = await run(['status', '--data-dir']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--data-dir needs a directory/);
  const r2 = await run(['--data-dir', '--json', 'status']);
  assert.equal(r2.code, 2);
});

test('usage errors exit 2 with one line prefixed "switchboard:"', async () => {
  for (const argv of [['nope'], ['server', 'nope'], ['status', 'extra'], ['server', 'remove', 'a', 'b']]) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, /^switchboard: .+\n$/);
  }
});
