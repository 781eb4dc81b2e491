// T68: a vetted authorization URL goes to the opener as one argument of one program, never through a shell.
// The "browser" here is a script named xdg-open on PATH that writes down the arguments it got.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openAuthorizationPage, openerFor } from '../../../main/oauth/open-browser.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test(
  'T68 shell syntax in a URL stays a character string: nothing runs',
  { skip: process.platform === 'win32' },
  async (t) => {
    const dir = await makeTempDir(t);
    const record = join(dir, 'argv.json');
    const pwned = join(dir, 'pwned');
    await writeFile(
      join(dir, 'xdg-open'),
      `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    await chmod(join(dir, 'xdg-open'), 0o755);
    const url = `https://a.example/?q=$(touch ${pwned})&r=\`touch ${pwned}\`;touch%20${pwned}`;
    const path = process.env['PATH'];
    process.env['PATH'] = `${dir}:${path}`;
    try {
      assert.equal(await openAuthorizationPage(url, 'linux'), true);
    } finally {
      process.env['PATH'] = path;
    }
    assert.deepEqual(JSON.parse(await readFile(record, 'utf8')), [url]);
    assert.equal(existsSync(pwned), false);
  },
);

test('T68 refused URLs never reach an opener', async () => {
  let called = false;
  const opener = async (): Promise<boolean> => (called = true);
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'http://evil.example/']) {
    await assert.rejects(openAuthorizationPage(url, 'linux', opener), /refused to open/);
  }
  assert.equal(called, false);
});

test('each platform opens through a program, never a shell', () => {
  assert.deepEqual(openerFor('https://x/', 'darwin'), { command: 'open', args: ['https://x/'] });
  assert.deepEqual(openerFor('https://x/&y', 'win32'), {
    command: 'rundll32',
    args: ['url.dll,FileProtocolHandler', 'https://x/&y'],
  });
  assert.deepEqual(openerFor('https://x/', 'linux'), { command: 'xdg-open', args: ['https://x/'] });
});
