import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath, formatProblem } from '../../../main/config/config-problems.ts';

test('paths use dots for names, [i] for array items and quotes for other keys', () => {
  assert.equal(formatPath(['servers', 'fs', 'args', 2]), 'servers.fs.args[2]');
  assert.equal(formatPath(['gateway', 'port']), 'gateway.port');
  assert.equal(formatPath(['servers', 'A B']), 'servers["A B"]');
  assert.equal(formatPath(['servers', 'my-server', 'env', '1x']), 'servers.my-server.env["1x"]');
  assert.equal(formatPath(['servers', 'x', 'headers', 'say "hi"']), 'servers.x.headers["say \\"hi\\""]');
  assert.equal(formatPath(['$schema']), '$schema');
  assert.equal(formatPath([]), '');
});

test('a problem is printed with its path, or alone when it is about the whole file', () => {
  assert.equal(formatProblem({ path: 'gateway.port', message: 'must be a number' }), 'gateway.port: must be a number');
  assert.equal(formatProblem({ path: '', message: 'the file is empty' }), 'the file is empty');
});
