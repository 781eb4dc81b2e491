import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import { configErrorMap } from '../../../main/config/issue-messages.ts';
import { issuesToProblems } from '../../../main/config/issues-to-problems.ts';
import type { ConfigProblem } from '../../../main/config/config-problems.ts';
import { configSchema } from '../../../main/config/schema.ts';

function problems(schema: z.ZodType, input: unknown): ConfigProblem[] {
  const result = schema.safeParse(input, { error: configErrorMap });
  assert.equal(result.success, false, 'expected the input to be invalid');
  return issuesToProblems(result.error?.issues ?? [], schema, input);
}

test('a bad record key names what the keys are instead of "Invalid key in record"', () => {
  const found = problems(configSchema, { servers: { 'A B': { command: 'x' } } });
  assert.equal(found.length, 1);
  assert.equal(found[0]?.path, 'servers["A B"]');
  assert.match(found[0]?.message ?? '', /^server names must be 1-32 characters of a-z, 0-9 and "-"/);
  const env = problems(configSchema, { servers: { a: { command: 'x', env: { '1X': 'v' } } } });
  assert.deepEqual(
    env.map((p) => p.path),
    ['servers.a.env["1X"]'],
  );
  assert.match(env[0]?.message ?? '', /^environment variable names must start with a letter/);
});

test('each unknown key is its own problem, with a spelling suggestion and the allowed keys', () => {
  const found = problems(configSchema, { servres: {}, gateway: { prot: 1, colour: 'red' } });
  assert.deepEqual(
    found.map((p) => p.path),
    ['gateway.prot', 'gateway.colour', 'servres'],
  );
  assert.match(found[0]?.message ?? '', /did you mean "port"\?/);
  assert.match(found[0]?.message ?? '', /settings allowed here: host, port,/);
  assert.doesNotMatch(found[1]?.message ?? '', /did you mean/);
  assert.match(found[2]?.message ?? '', /did you mean "servers"\? \(settings allowed at the top level: \$schema/);
});

test('a server that fits neither kind is judged as the kind it looks like', () => {
  const stdio = problems(configSchema, { servers: { fs: { command: 'npx', args: ['a', 'b', 3] } } });
  assert.deepEqual(stdio, [{ path: 'servers.fs.args[2]', message: 'must be a string, not 3' }]);

  const typo = problems(configSchema, { servers: { fs: { comand: 'npx' } } });
  assert.deepEqual(
    typo.map((p) => p.path),
    ['servers.fs.command', 'servers.fs.comand'],
  );
  assert.equal(typo[0]?.message, 'is required and must be a string');
  assert.match(typo[1]?.message ?? '', /did you mean "command"/);

  const remote = problems(configSchema, { servers: { web: { url: 'https://x.test', headers: { 'a b': 'v' } } } });
  assert.deepEqual(
    remote.map((p) => p.path),
    ['servers.web.headers["a b"]'],
  );
  assert.match(remote[0]?.message ?? '', /^header names must be/);
});

test('a server whose kind cannot be told gets the schema message about command or url', () => {
  const empty = problems(configSchema, { servers: { x: {} } });
  assert.deepEqual(empty, [
    { path: 'servers.x', message: 'must have either "command" (a stdio server) or "url" (a remote server)' },
  ]);
  const notObject = problems(configSchema, { servers: { x: 'npx server' } });
  assert.equal(notObject[0]?.path, 'servers.x');
  assert.match(notObject[0]?.message ?? '', /^must be an object, not "npx server"; must have either "command"/);
});

test('a missing required value says it is required', () => {
  const found = problems(configSchema, { servers: { r: { transport: 'sse' } } });
  assert.deepEqual(found, [{ path: 'servers.r.url', message: 'is required and must be an http:// or https:// URL' }]);
});
