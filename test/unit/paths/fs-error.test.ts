import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeFsError, errorCode } from '../../../main/paths/fs-error.ts';

test('a real file-system error is described in words with its code', async () => {
  const error = await readFile(join(tmpdir(), 'switchboard-no-such-file-7c1e')).catch((e: unknown) => e);
  assert.equal(errorCode(error), 'ENOENT');
  assert.equal(describeFsError(error), 'no such file or directory (ENOENT)');
});

test('an unknown code keeps the code, and errors without one keep their message', () => {
  assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EWEIRD' })), 'failed (EWEIRD)');
  assert.equal(describeFsError(new Error('boom')), 'boom');
  assert.equal(describeFsError('text'), 'text');
  assert.equal(errorCode({ code: 42 }), undefined);
  assert.equal(errorCode(null), undefined);
});
