import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { coreLogger } from '../../../main/log/core-logger.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('JSON lines to a rotating gateway.log; the same JSON to a pipe', async (t) => {
  const dir = await makeTempDir(t);
  let piped = '';
  const logger = coreLogger({ dir, maxBytes: 2_000, keep: 2, terminal: { write: (s) => (piped += s), isTTY: false } });
  logger.child({ part: 'supervisor' }).warn('server ended', { server: 'fs', code: 1 });
  logger.debug('not at info level');
  const first = JSON.parse(readFileSync(join(dir, 'gateway.log'), 'utf8').split('\n')[0]!);
  assert.deepEqual(
    { ...first, time: 'x' },
    { level: 'warn', time: 'x', part: 'supervisor', server: 'fs', code: 1, msg: 'server ended' },
  );
  assert.equal(piped.trim(), readFileSync(join(dir, 'gateway.log'), 'utf8').trim());
  for (let i = 0; i < 50; i += 1) logger.info('filler line to make the file rotate', { i });
  logger.close();
  assert.ok(existsSync(join(dir, 'gateway.log.1')), 'rotated');
  assert.ok(readFileSync(join(dir, 'gateway.log'), 'utf8').length <= 2_200);
});

test('a terminal gets readable lines, not JSON', async (t) => {
  const dir = await makeTempDir(t);
  let shown = '';
  const logger = coreLogger({ dir, terminal: { write: (s) => (shown += s), isTTY: true } });
  logger.info('gateway listening', { url: 'http://127.0.0.1:7345/mcp' });
  logger.close();
  const plain = stripVTControlCharacters(shown);
  assert.match(plain, /INFO: gateway listening/);
  assert.match(plain, /url: "http:\/\/127\.0\.0\.1:7345\/mcp"/);
  assert.throws(() => JSON.parse(shown));
});
