import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildToolNameMap, serverOfName } from '../../../../main/gateway/aggregate/tool-names.ts';

const VALID = /^[A-Za-z0-9_.-]{1,128}$/;

function exposed(server: string, separator: string, names: readonly string[]): Map<string, string> {
  return new Map(buildToolNameMap(server, separator, names).toExposed);
}

test('valid names are <server><separator><tool>, for any configured separator', () => {
  assert.deepEqual(
    [...exposed('fs', '__', ['read_file', 'list-dir', 'a.b']).values()],
    ['fs__read_file', 'fs__list-dir', 'fs__a.b'],
  );
  assert.deepEqual([...exposed('fs', '.', ['read_file']).values()], ['fs.read_file']);
  assert.deepEqual([...exposed('fs', 'X', ['read']).values()], ['fsXread']);
});

test('the two maps are inverse to each other', () => {
  const map = buildToolNameMap('s', '__', ['a', 'b c', 'x'.repeat(200)]);
  assert.equal(map.toExposed.size, 3);
  assert.equal(map.toUpstream.size, 3);
  for (const [upstream, name] of map.toExposed) assert.equal(map.toUpstream.get(name), upstream);
});

test('a name past 128 characters gets a valid, shorter, hashed name', () => {
  const long = 'a'.repeat(140);
  const name = exposed('server', '__', [long]).get(long)!;
  assert.match(name, VALID);
  assert.ok(name.length <= 128, `${name.length} characters`);
  assert.ok(name.startsWith('server__aaaa'));
  assert.match(name, /-[0-9a-f]{8}$/);
});

test('a name that only the prefix pushes past 128 is renamed too', () => {
  const tool = 'b'.repeat(125);
  const name = exposed('server-with-a-long-name', '__', [tool]).get(tool)!;
  assert.ok(name.length <= 128);
  assert.match(name, VALID);
});

test('characters outside the rules are replaced and the name is hashed', () => {
  const names = exposed('s', '__', ['with space', 'ünïcode', 'slash/name', 'emoji 🙂']);
  for (const name of names.values()) assert.match(name, VALID);
  assert.match(names.get('with space')!, /^s__with_space-[0-9a-f]{8}$/);
  assert.match(names.get('slash/name')!, /^s__slash_name-[0-9a-f]{8}$/);
});

test('an empty upstream name still gets a valid name', () => {
  const name = exposed('s', '__', ['']).get('')!;
  assert.match(name, VALID);
});

test('names that would clash once cleaned stay distinct, and a valid name keeps its name', () => {
  for (const order of [
    ['a b', 'a_b'],
    ['a_b', 'a b'],
  ]) {
    const names = exposed('s', '__', order);
    assert.equal(names.get('a_b'), 's__a_b', `order ${order.join(', ')}`);
    assert.notEqual(names.get('a b'), names.get('a_b'));
  }
});

test('a tool literally named like another’s hashed name does not take or share it', () => {
  const hashed = exposed('s', '__', ['a b']).get('a b')!;
  const literal = hashed.slice('s__'.length);
  const names = exposed('s', '__', ['a b', literal]);
  assert.equal(names.get(literal), hashed, 'the valid name must keep its name');
  assert.notEqual(names.get('a b'), hashed);
  assert.match(names.get('a b')!, VALID);
  assert.equal(new Set(names.values()).size, 2);
});

test('hashed names are stable: the same tool gets the same name on every listing', () => {
  const first = exposed('s', '__', ['x'.repeat(300), 'q r']);
  const second = exposed('s', '__', ['q r', 'new tool', 'x'.repeat(300)]);
  assert.equal(first.get('x'.repeat(300)), second.get('x'.repeat(300)));
  assert.equal(first.get('q r'), second.get('q r'));
});

test('long names that share a long prefix still get distinct names', () => {
  const a = 'p'.repeat(200) + 'a';
  const b = 'p'.repeat(200) + 'b';
  const names = exposed('s', '__', [a, b]);
  assert.notEqual(names.get(a), names.get(b));
});

test('a tool listed twice is mapped once', () => {
  const map = buildToolNameMap('s', '__', ['dup', 'dup']);
  assert.equal(map.toExposed.size, 1);
  assert.equal(map.toUpstream.size, 1);
});

test('serverOfName reads the server from an aggregated name', () => {
  assert.equal(serverOfName('fs__read_file', '__'), 'fs');
  assert.equal(serverOfName('my-server__a__b', '__'), 'my-server');
  assert.equal(serverOfName('fs.read', '.'), 'fs');
  assert.equal(serverOfName('plain', '__'), null);
  assert.equal(serverOfName('__leading', '__'), null);
});
