// Open at login: Electron's login item on macOS and Windows (a fake app here: Electron cannot run), an XDG
// autostart file on Linux (a real file in a temp folder).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { autostartEntry, loginItemFor } from '../../../main/electron/login-item.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('Linux: an autostart entry is written and removed; its Exec line is quoted as the spec asks', async (t) => {
  const configHome = await makeTempDir(t);
  const command = ['/opt/My Apps/Switchboard.AppImage', '--hidden'];
  const app = { setLoginItemSettings: () => assert.fail('not on Linux'), getLoginItemSettings: () => assert.fail() };
  const item = loginItemFor('linux', app, { configHome, command });
  assert.equal(await item.isOn(), false);
  await item.set(true);
  assert.equal(await item.isOn(), true);
  const text = await readFile(join(configHome, 'autostart', 'switchboard.desktop'), 'utf8');
  assert.match(text, /^Exec="\/opt\/My Apps\/Switchboard\.AppImage" --hidden$/m);
  await item.set(false);
  assert.equal(await item.isOn(), false);
  assert.match(autostartEntry(['/a/b', '100%', 'x"$y']), /^Exec=\/a\/b 100%% "x\\"\\\$y"$/m);
});

test('macOS and Windows: Electron login item settings', async () => {
  for (const platform of ['darwin', 'win32'] as const) {
    let openAtLogin = false;
    const app = {
      setLoginItemSettings: (s: { openAtLogin: boolean }) => void (openAtLogin = s.openAtLogin),
      getLoginItemSettings: () => ({ openAtLogin }),
    };
    const item = loginItemFor(platform, app, { configHome: '/nonexistent', command: [] });
    await item.set(true);
    assert.equal(openAtLogin, true);
    assert.equal(await item.isOn(), true);
  }
});
