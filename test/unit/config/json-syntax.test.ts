import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findJsonSyntaxError, lineColumn } from '../../../main/config/json-syntax.ts';

function errorAt(text: string): { line: number; column: number; message: string } {
  const error = findJsonSyntaxError(text);
  assert.ok(error, `expected a syntax error in ${JSON.stringify(text)}`);
  assert.throws(() => JSON.parse(text), SyntaxError, 'the scanner and JSON.parse must agree');
  return { ...lineColumn(text, error.offset), message: error.message };
}

describe('findJsonSyntaxError', () => {
  test('finds nothing wrong in valid JSON', () => {
    for (const text of [
      '{}',
      ' [1, -2.5e+3, 0, "a\\n\\u00e9\\"", true, false, null, {"x": []}] ',
      '"just a string"',
      '{\r\n  "a": {"b": [{}]}\r\n}\n',
    ]) {
      assert.doesNotThrow(() => JSON.parse(text));
      assert.equal(findJsonSyntaxError(text), null, text);
    }
  });

  test('a trailing comma is pointed at, in objects and arrays', () => {
    assert.deepEqual(errorAt('{\n  "a": 1,\n}'), {
      line: 2,
      column: 9,
      message: "a trailing comma before '}' is not allowed in JSON; remove this comma",
    });
    assert.match(errorAt('[1, 2, ]').message, /trailing comma before '\]'/);
  });

  test('a missing comma between properties is reported where the next one starts', () => {
    const found = errorAt('{\n  "a": 1\n  "b": 2\n}');
    assert.equal(found.line, 3);
    assert.equal(found.column, 3);
    assert.match(found.message, /expected ',' or '}'.*a comma is probably missing/);
  });

  test('names the usual hand-editing slips', () => {
    assert.match(errorAt('{\n  // note\n  "a": 1\n}').message, /comments are not allowed/);
    assert.match(errorAt("{'a': 1}").message, /double quotes/);
    assert.match(errorAt('{a: 1}').message, /property names must be in double quotes/);
    assert.match(errorAt('{"a" 1}').message, /expected ':'/);
    assert.match(errorAt('{"a": tru}').message, /expected a value .* but found 'tru'/);
    assert.match(errorAt('{"a": 01}').message, /invalid number/);
    assert.match(errorAt('{"a": .5}').message, /invalid number/);
    assert.match(errorAt('{"a": "x\ny"}').message, /cannot run over the end of a line/);
    assert.match(errorAt('{"a": "x\ty"}').message, /control characters/);
    assert.match(errorAt('{"a": "c:\\dir"}').message, /invalid escape "\\d"/);
    assert.match(errorAt('{} {}').message, /after the end of the JSON value/);
  });

  test('an unclosed string, object or array is reported where it opens', () => {
    assert.deepEqual(errorAt('{"a": "b'), { line: 1, column: 7, message: errorAt('{"a": "b').message });
    assert.match(errorAt('{"a": "b').message, /never closed/);
    const object = errorAt('{\n  "a": {\n    "b": 1\n');
    assert.equal(object.line, 2);
    assert.equal(object.column, 8);
    assert.match(object.message, /object is never closed; add the closing '}'/);
    assert.match(errorAt('[1, 2').message, /array is never closed/);
  });
});

describe('lineColumn', () => {
  test('counts lines from 1 and columns from 1', () => {
    assert.deepEqual(lineColumn('abc', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('ab\r\ncd', 5), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('ab', 99), { line: 1, column: 3 });
  });
});
