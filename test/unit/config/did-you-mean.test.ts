import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestMatch, editDistance } from '../../../main/config/did-you-mean.ts';

test('edit distance counts insertions, deletions, substitutions and swaps as one edit each', () => {
  assert.equal(editDistance('command', 'command'), 0);
  assert.equal(editDistance('comand', 'command'), 1);
  assert.equal(editDistance('comamnd', 'command'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('suggests the closest key only when it is a likely typo', () => {
  const keys = ['transport', 'command', 'args', 'env', 'cwd'];
  assert.equal(closestMatch('comand', keys), 'command');
  assert.equal(closestMatch('Command', keys), 'command');
  assert.equal(closestMatch('arg', keys), 'args');
  assert.equal(closestMatch('something', keys), undefined);
  assert.equal(closestMatch('x', []), undefined);
});
