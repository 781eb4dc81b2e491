import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  UsageError,
  keyValues,
  listOption,
  parseCommandArgs,
  stringOption,
  type Command,
} from '../../../main/cli/command.ts';

const command: Command = {
  path: ['server', 'add'],
  summary: 'test',
  usage: 'switchboard server add NAME',
  options: { env: { type: 'string', multiple: true }, url: { type: 'string' }, disabled: { type: 'boolean' } },
  allowPositionals: true,
  run: () => Promise.resolve(0),
};

test('everything after -- is kept verbatim as the command line, flags included', () => {
  const parsed = parseCommandArgs(command, ['fs', '--env', 'A=1', '--', 'npx', '-y', '--url', 'x', '--']);
  assert.deepEqual(parsed.positionals, ['fs']);
  assert.deepEqual(parsed.values.env, ['A=1']);
  assert.deepEqual(parsed.rest, ['npx', '-y', '--url', 'x', '--']);
});

test('options take both spellings, and repeated ones collect', () => {
  const parsed = parseCommandArgs(command, ['--env=A=1', '--env', 'B=2', '--url=http://h', '--disabled']);
  assert.deepEqual(listOption(parsed, 'env'), ['A=1', 'B=2']);
  assert.equal(stringOption(parsed, 'url'), 'http://h');
  assert.equal(parsed.values.disabled, true);
  assert.equal(stringOption(parsed, 'disabled'), undefined);
  assert.deepEqual(listOption(parsed, 'missing'), []);
});

test('an unknown option is a usage error naming the command, on one line', () => {
  assert.throws(
    () => parseCommandArgs(command, ['--nope']),
    (error: Error) =>
      error instanceof UsageError &&
      /^server add: Unknown option '--nope'/.test(error.message) &&
      !error.message.includes('\n'),
  );
});

test('a string option without its value is a usage error', () => {
  assert.throws(() => parseCommandArgs(command, ['--url']), UsageError);
});

test('keyValues splits at the first =, keeps later ones, and refuses items without a key', () => {
  assert.deepEqual(keyValues(['A=1', 'B=x=y', 'C='], '--env'), { A: '1', B: 'x=y', C: '' });
  assert.throws(() => keyValues(['NOEQUALS'], '--env'), /--env expects KEY=VALUE, got "NOEQUALS"/);
  assert.throws(() => keyValues(['=value'], '--header'), /--header expects KEY=VALUE/);
});

test('a value that begins with a dash is taken as the value of the option before it', () => {
  // A base64url public key begins with "-" one time in 64; `policy keygen` prints one for `--key`.
  const parsed = parseCommandArgs(command, ['--url', '-Kx3_q', '--env', '--Dq7_x', '--env=-x=2', '--env', '-']);
  assert.equal(stringOption(parsed, 'url'), '-Kx3_q');
  assert.deepEqual(listOption(parsed, 'env'), ['--Dq7_x', '-x=2', '-']);
});

test('a mistyped long option after a value-taking option is not taken as its value', () => {
  for (const argv of [
    ['--url', '--typo'],
    ['--url', '--dis-abled=1'],
  ]) {
    assert.throws(
      () => parseCommandArgs(command, argv),
      (error: Error) => error instanceof UsageError && error.message === 'server add: --url needs a value',
      argv.join(' '),
    );
  }
});

test('a short option with a missing value is named by its long name', () => {
  const short: Command = { ...command, options: { url: { type: 'string', short: 'u' } } };
  assert.throws(
    () => parseCommandArgs(short, ['-u']),
    (error: Error) => error.message === 'server add: --url needs a value',
  );
  assert.equal(stringOption(parseCommandArgs(short, ['-u', '-Kx3']), 'url'), '-Kx3');
});

test("an option's missing value is named as such, also when another option follows it", () => {
  for (const argv of [['--url'], ['--url', '--disabled'], ['--url', '--env=A=1']]) {
    assert.throws(
      () => parseCommandArgs(command, argv),
      (error: Error) => error instanceof UsageError && error.message === 'server add: --url needs a value',
      argv.join(' '),
    );
  }
});
