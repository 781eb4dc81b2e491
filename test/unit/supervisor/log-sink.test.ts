import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, test } from 'node:test';
import { LogSink } from '../../../main/supervisor/log-sink.ts';
import { tempDirs } from './helpers.ts';

const dirs = tempDirs();
after(() => dirs.cleanup());

test('the tail keeps the last lines, whatever the chunking', () => {
  const sink = new LogSink({ dir: dirs.logDir, name: 'tail', tailLines: 3 });
  sink.write(Buffer.from('one\ntw'));
  sink.write(Buffer.from('o\nthree\r\nfo'));
  assert.deepEqual(sink.tail(), ['one', 'two', 'three']);
  sink.write(Buffer.from('ur\n'));
  assert.deepEqual(sink.tail(), ['two', 'three', 'four']);
  assert.deepEqual(sink.tail(2), ['three', 'four']);
  sink.close();
  assert.equal(readFileSync(sink.path, 'utf8'), 'one\ntwo\nthree\r\nfour\n');
});

test('a chunk of many lines keeps only its newest ones and counts the rest', () => {
  const sink = new LogSink({ dir: dirs.logDir, name: 'many', tailLines: 5 });
  const mark = sink.mark;
  const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i}`);
  sink.write(Buffer.from(lines.join('\n') + '\nopen'));
  assert.deepEqual(sink.tail(), ['line 995', 'line 996', 'line 997', 'line 998', 'line 999']);
  assert.equal(sink.mark - mark, 1_000);
  assert.deepEqual(sink.linesSince(sink.mark - 2, 10), ['line 998', 'line 999']);
  sink.endLine();
  assert.deepEqual(sink.tail(1), ['open']);
  sink.close();
});

test('long lines are cut in memory, kept whole in the file', () => {
  const sink = new LogSink({ dir: dirs.logDir, name: 'long', maxLineBytes: 16 });
  const long = 'x'.repeat(100);
  sink.write(Buffer.from(long.slice(0, 50)));
  sink.write(Buffer.from(long.slice(50) + '\nshort\n' + long + '\n'));
  assert.deepEqual(sink.tail(), ['x'.repeat(16) + ' …[cut]', 'short', 'x'.repeat(16) + ' …[cut]']);
  sink.close();
  assert.equal(readFileSync(sink.path, 'utf8'), `${long}\nshort\n${long}\n`);
});

test('the file rotates at the configured size and keeps the configured number of old files', () => {
  const sink = new LogSink({ dir: dirs.logDir, name: 'rotate', maxBytes: 1_000, keep: 2 });
  const line = Buffer.from('y'.repeat(99) + '\n');
  for (let i = 0; i < 45; i++) sink.write(line);
  sink.close();
  assert.equal(sink.rotations, 4);
  assert.equal(statSync(`${sink.path}.1`).size, 1_000);
  assert.equal(statSync(`${sink.path}.2`).size, 1_000);
  assert.equal(existsSync(`${sink.path}.3`), false);
  assert.equal(statSync(sink.path).size, 500);
});
