import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  looksNamespaced,
  matchesTemplate,
  mayMatch,
  mayOverlap,
  namespacedUri,
  parseNamespacedUri,
  templateShape,
} from '../../../../main/gateway/aggregate/resource-uris.ts';

test('a namespaced URI wraps the original and unwraps to it exactly', () => {
  const cases: [string, string, string][] = [
    ['docs', 'file:///notes.md', 'switchboard+docs+file:///notes.md'],
    ['a-b', 'demo://resource/x?y=1#z', 'switchboard+a-b+demo://resource/x?y=1#z'],
    ['s1', 'relative/path', 'switchboard+s1:relative/path'],
    ['s1', 'switchboard+other+x://y', 'switchboard+s1+switchboard+other+x://y'],
    ['t', 'demo://resource/{id}', 'switchboard+t+demo://resource/{id}'],
    ['t', '{+path}', 'switchboard+t:{+path}'],
  ];
  for (const [server, uri, wrapped] of cases) {
    assert.equal(namespacedUri(server, uri), wrapped);
    assert.deepEqual(parseNamespacedUri(wrapped), { server, uri });
    assert.ok(looksNamespaced(wrapped));
  }
});

test('a URI that is not a namespaced form parses to null', () => {
  for (const uri of [
    'file:///x',
    'switchboard:x',
    'switchboard+:x',
    'switchboard+Bad_Name+x://y',
    'switchboard+-a+x:y',
  ]) {
    assert.equal(parseNamespacedUri(uri), null, uri);
  }
  assert.ok(looksNamespaced('SWITCHBOARD+x+y:z'));
  assert.ok(!looksNamespaced('switch://board'));
});

test('template shapes: literal ends, matches by shape and by RFC 6570', () => {
  const shape = templateShape('demo://resource/dynamic/text/{resourceId}');
  assert.deepEqual(shape, {
    template: 'demo://resource/dynamic/text/{resourceId}',
    prefix: 'demo://resource/dynamic/text/',
    suffix: '',
    literal: false,
  });
  assert.ok(mayMatch(shape, 'demo://resource/dynamic/text/5'));
  assert.ok(matchesTemplate(shape, 'demo://resource/dynamic/text/5'));
  assert.ok(mayMatch(shape, 'demo://resource/dynamic/text/5/6'), 'by shape anything after the prefix could match');
  assert.ok(!matchesTemplate(shape, 'demo://resource/dynamic/text/5/6'), 'a simple expression stops at "/"');
  assert.ok(!mayMatch(shape, 'demo://resource/dynamic/blob/5'));
  const literal = templateShape('twin://notes/1');
  assert.ok(literal.literal && mayMatch(literal, 'twin://notes/1') && !mayMatch(literal, 'twin://notes/10'));
  const data = templateShape('test://template/{id}/data');
  assert.ok(matchesTemplate(data, 'test://template/123/data'));
  assert.ok(!mayMatch(data, 'test://template/123/meta'));
});

test('templates overlap when one could expand to what the other does', () => {
  const text = templateShape('demo://resource/dynamic/text/{id}');
  assert.ok(mayOverlap(text, templateShape('demo://resource/dynamic/text/{resourceId}')));
  assert.ok(mayOverlap(text, templateShape('demo://resource/{kind}/{id}')));
  assert.ok(!mayOverlap(text, templateShape('demo://resource/dynamic/blob/{id}')));
  assert.ok(!mayOverlap(templateShape('a://{x}.json'), templateShape('a://{x}.txt')));
  assert.ok(mayOverlap(templateShape('demo://resource/dynamic/text/7'), text));
});
