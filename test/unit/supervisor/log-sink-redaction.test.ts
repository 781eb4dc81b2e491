// A redacting log sink: a secret split across pipe chunks is still masked in the file and in the memory tail.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Redactor } from '../../../main/redact/redactor.ts';
import { LogSink } from '../../../main/supervisor/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const SECRET = 'sup3r-s3cret-token-value';

test('a secret cut across chunks never reaches the file or the tail', async (t) => {
  const dir = await makeTempDir(t);
  const redactor = new Redactor();
  redactor.add(SECRET, 'secret API');
  const sink = new LogSink({ dir, name: 'srv', redact: (text) => redactor.redact(text) });
  const text = `starting\nusing token ${SECRET} now\nand again ${SECRET}`;
  // Every split point: the secret is cut in two at each of its characters in turn.
  for (let cut = 1; cut < text.length; cut += 7) {
    sink.write(Buffer.from(text.slice(0, cut)));
    sink.write(Buffer.from(text.slice(cut) + '\n'));
  }
  sink.note(`a note naming ${SECRET}`);
  sink.write(Buffer.from(`unterminated ${SECRET}`));
  sink.close();
  const file = await readFile(sink.path, 'utf8');
  assert.equal(file.includes(SECRET), false);
  assert.ok(file.includes('using token [redacted: secret API] now'));
  assert.ok(file.includes('unterminated [redacted: secret API]'), 'the held end is written at close');
  for (const line of sink.tail()) assert.equal(line.includes(SECRET), false, line);
  assert.ok(sink.tail().some((line) => line.includes('[redacted: secret API]')));
});
