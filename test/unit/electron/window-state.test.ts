// The window's size and place survive a restart; a place no display shows any more is dropped. Real files.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  DEFAULT_SIZE,
  loadWindowState,
  placeWindow,
  saveWindowState,
  windowStatePath,
} from '../../../main/electron/window-state.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1080 };

test('saved, it comes back; a broken file is as no file', async (t) => {
  const dir = await makeTempDir(t);
  assert.equal(await loadWindowState(dir), null);
  const state = { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true };
  await saveWindowState(dir, state);
  assert.deepEqual(await loadWindowState(dir), state);
  assert.equal((await stat(windowStatePath(dir))).mode & 0o777, 0o600);
  assert.match(await readFile(windowStatePath(dir), 'utf8'), /"maximized":true/);
  await writeFile(windowStatePath(dir), '{"bounds":{"x":"a"}}');
  assert.equal(await loadWindowState(dir), null);
});

test('the place is kept only while a display shows it; the size never drops below the minimum', () => {
  assert.deepEqual(placeWindow(null, [SCREEN]), DEFAULT_SIZE);
  const saved = { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: false };
  assert.deepEqual(placeWindow(saved, [SCREEN]), saved.bounds);
  const offScreen = { bounds: { x: 3000, y: 50, width: 1000, height: 700 }, maximized: false };
  assert.deepEqual(placeWindow(offScreen, [SCREEN]), { width: 1000, height: 700 });
  const second = { x: 1920, y: 0, width: 2560, height: 1440 };
  assert.deepEqual(placeWindow(offScreen, [SCREEN, second]), offScreen.bounds);
  const tiny = { bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false };
  assert.deepEqual(placeWindow(tiny, [SCREEN]), { x: 0, y: 0, width: 720, height: 480 });
});
