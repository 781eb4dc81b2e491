import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dataDirPaths, ensureDataDir, resolveDataDir } from '../../../main/paths/data-dir.ts';

const linux = { platform: 'linux', homedir: '/home/ada' } as const;

describe('resolveDataDir', () => {
  test('the --data-dir flag wins over SWITCHBOARD_HOME and the platform folder', () => {
    const dir = resolveDataDir({
      ...linux,
      flag: '/srv/sb',
      env: { SWITCHBOARD_HOME: '/opt/sb', XDG_CONFIG_HOME: '/x' },
    });
    assert.equal(dir, '/srv/sb');
  });

  test('SWITCHBOARD_HOME is used when there is no flag', () => {
    assert.equal(resolveDataDir({ ...linux, env: { SWITCHBOARD_HOME: '/opt/sb', XDG_CONFIG_HOME: '/x' } }), '/opt/sb');
  });

  test('empty flag and SWITCHBOARD_HOME count as unset', () => {
    assert.equal(
      resolveDataDir({ ...linux, flag: '', env: { SWITCHBOARD_HOME: '  ' } }),
      '/home/ada/.config/switchboard',
    );
  });

  test('a leading ~ is expanded to the home folder', () => {
    assert.equal(resolveDataDir({ ...linux, env: { SWITCHBOARD_HOME: '~/sb' } }), '/home/ada/sb');
    assert.equal(resolveDataDir({ ...linux, flag: '~', env: {} }), '/home/ada');
  });

  test('a relative path is resolved against cwd when given, and kept as is otherwise', () => {
    assert.equal(resolveDataDir({ ...linux, flag: 'state', env: {}, cwd: '/work' }), '/work/state');
    assert.equal(resolveDataDir({ ...linux, flag: 'state', env: {} }), 'state');
  });

  test('macOS uses Application Support', () => {
    assert.equal(
      resolveDataDir({ platform: 'darwin', homedir: '/Users/ada', env: { XDG_CONFIG_HOME: '/x' } }),
      '/Users/ada/Library/Application Support/Switchboard',
    );
  });

  test('Windows uses %APPDATA%, or AppData\\Roaming under the home folder without it', () => {
    const home = 'C:\\Users\\ada';
    assert.equal(
      resolveDataDir({ platform: 'win32', homedir: home, env: { APPDATA: 'D:\\Roaming' } }),
      'D:\\Roaming\\Switchboard',
    );
    assert.equal(
      resolveDataDir({ platform: 'win32', homedir: home, env: {} }),
      'C:\\Users\\ada\\AppData\\Roaming\\Switchboard',
    );
    assert.equal(resolveDataDir({ platform: 'win32', homedir: home, flag: '~\\sb', env: {} }), 'C:\\Users\\ada\\sb');
  });

  test('Linux and other systems use $XDG_CONFIG_HOME, ignoring a relative one, else ~/.config', () => {
    assert.equal(resolveDataDir({ ...linux, env: { XDG_CONFIG_HOME: '/xdg' } }), '/xdg/switchboard');
    assert.equal(resolveDataDir({ ...linux, env: { XDG_CONFIG_HOME: 'rel' } }), '/home/ada/.config/switchboard');
    assert.equal(resolveDataDir({ ...linux, env: {} }), '/home/ada/.config/switchboard');
    assert.equal(
      resolveDataDir({ platform: 'freebsd', homedir: '/home/ada', env: {} }),
      '/home/ada/.config/switchboard',
    );
  });
});

describe('dataDirPaths', () => {
  test('names every well-known file inside the folder', () => {
    const paths = dataDirPaths('/d');
    assert.deepEqual(paths, {
      dir: '/d',
      config: join('/d', 'config.json'),
      tokens: join('/d', 'tokens.json'),
      audit: join('/d', 'audit.db'),
      auditJournal: join('/d', 'journal', 'audit.journal'),
      auditHead: join('/d', 'audit.head.json'),
      auditUpload: join('/d', 'audit.upload.json'),
      installId: join('/d', 'install-id'),
      logs: join('/d', 'logs'),
      run: join('/d', 'run'),
      lists: join('/d', 'lists'),
      serveInfo: join('/d', 'serve.json'),
      clientsSeen: join('/d', 'clients-seen.json'),
      gatewayLog: join('/d', 'gateway.log'),
      vault: join('/d', 'vault.enc'),
      clients: join('/d', 'clients.json'),
      toolPins: join('/d', 'tool-pins.json'),
    });
  });
});

describe('ensureDataDir', () => {
  test('creates the folder and its subfolders, private to the owner', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, 'nested', 'sb');
    const result = await ensureDataDir(dir);
    assert.ok(result.ok);
    assert.equal(result.paths.dir, dir);
    for (const folder of [dir, result.paths.logs, result.paths.run]) {
      const info = await stat(folder);
      assert.ok(info.isDirectory(), folder);
      if (process.platform !== 'win32') assert.equal(info.mode & 0o777, 0o700, folder);
    }
    assert.ok((await ensureDataDir(dir)).ok, 'running it again is harmless');
  });

  test('says what to do when the folder cannot be created', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const blocker = join(root, 'file');
    await writeFile(blocker, 'not a folder');
    const result = await ensureDataDir(join(blocker, 'sb'));
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.message, /could not create the data directory .*file.*sb/);
    assert.match(result.message, /--data-dir or SWITCHBOARD_HOME/);
  });
});
