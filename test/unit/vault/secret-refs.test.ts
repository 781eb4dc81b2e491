import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../../main/config/validate-config.ts';
import { fillServerConfig, refsIn, secretsUsedBy } from '../../../main/vault/secret-refs.ts';

test('references are found in order; text around them is kept when filled', () => {
  const found = refsIn('Bearer ${secret:API_KEY} and ${secret:other.key-2}');
  assert.deepEqual(found, { ok: true, names: ['API_KEY', 'other.key-2'] });
});

test('a malformed or unclosed reference is named', () => {
  const bad = refsIn('x ${secret:has space} y');
  assert.ok(!bad.ok && /"\$\{secret:has space\}" is not a valid secret reference/.test(bad.problem.message));
  const open = refsIn('x ${secret:NAME');
  assert.ok(!open.ok && /without a closing/.test(open.problem.message));
});

test('a server config is filled in env, args, headers and url, and nothing else', () => {
  const values = new Map([
    ['A', 'alpha'],
    ['B', 'beta'],
  ]);
  const stdio = validateConfig({
    servers: { s: { command: 'run-${secret:A}', args: ['--key=${secret:A}'], env: { K: '${secret:B}' } } },
  });
  assert.ok(stdio.ok);
  const server = stdio.config.servers['s']!;
  assert.deepEqual(secretsUsedBy(server), ['A', 'B']);
  const filled = fillServerConfig(server, values);
  assert.ok(filled.transport === 'stdio');
  assert.deepEqual(filled.args, ['--key=alpha']);
  assert.deepEqual(filled.env, { K: 'beta' });
  assert.equal(filled.command, 'run-${secret:A}', 'the command is not a place for secrets');

  const remote = validateConfig({
    servers: {
      r: { url: 'https://api.example/mcp?key=${secret:A}', headers: { authorization: 'Bearer ${secret:B}' } },
    },
  });
  assert.ok(remote.ok);
  const filledRemote = fillServerConfig(remote.config.servers['r']!, values);
  assert.ok(filledRemote.transport !== 'stdio');
  assert.equal(filledRemote.url, 'https://api.example/mcp?key=alpha');
  assert.deepEqual(filledRemote.headers, { authorization: 'Bearer beta' });
});

test('config validation names a malformed reference by its JSON path', () => {
  const result = validateConfig({ servers: { s: { command: 'x', env: { K: '${secret:}' } } } });
  assert.ok(!result.ok);
  assert.ok(
    result.problems.some((p) => p.path === 'servers.s.env.K' && /not a valid secret reference/.test(p.message)),
    JSON.stringify(result.problems),
  );
});

test('secret metadata is validated: names and ISO dates', () => {
  const bad = validateConfig({
    secrets: { 'bad name': { created: '2026-01-01T00:00:00Z' }, ok: { created: 'yesterday' } },
  });
  assert.ok(!bad.ok);
  const paths = bad.problems.map((p) => p.path);
  assert.ok(
    paths.some((p) => p.startsWith('secrets')),
    JSON.stringify(bad.problems),
  );
  assert.ok(
    bad.problems.some((p) => /ISO 8601/.test(p.message)),
    JSON.stringify(bad.problems),
  );
  const good = validateConfig({
    secrets: { GH: { created: '2026-01-01T00:00:00Z', expires: '2027-01-01T00:00:00.000Z' } },
  });
  assert.ok(good.ok);
  assert.equal(good.config.vault, 'keychain');
});
