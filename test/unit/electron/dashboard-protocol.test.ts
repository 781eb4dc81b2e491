// app://dashboard/ serves the built renderer's files and nothing else, each with the dashboard's CSP. Real files
// in a temp folder; Electron's protocol module is not needed (the Electron binary cannot run here).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dashboardFile, serveDashboard } from '../../../main/electron/dashboard-protocol.ts';
import { DASHBOARD_CSP } from '../../../main/electron/window-policy.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('only files under the renderer folder, by the dashboard host; pages of the app get index.html', () => {
  const root = '/app/renderer/dist';
  assert.equal(dashboardFile('app://dashboard/', root), '/app/renderer/dist/index.html');
  assert.equal(dashboardFile('app://dashboard/servers', root), '/app/renderer/dist/index.html');
  assert.equal(dashboardFile('app://dashboard/assets/a.js', root), '/app/renderer/dist/assets/a.js');
  // Dot segments, plain or encoded, are resolved by the URL parser and cannot climb above the root.
  assert.equal(
    dashboardFile('app://dashboard/%2e%2e/%2e%2e/etc/passwd.txt', root),
    '/app/renderer/dist/etc/passwd.txt',
  );
  assert.equal(dashboardFile('app://dashboard/../../etc/passwd.txt', root), '/app/renderer/dist/etc/passwd.txt');
  for (const url of [
    'app://dashboard/..%2f..%2fsecret.json',
    'app://dashboard/a%00.js',
    'app://other/index.html',
    'file:///etc/passwd',
    'app://dashboard/%E0%A4%A',
  ]) {
    assert.equal(dashboardFile(url, root), null, url);
  }
});

test('answers carry the CSP and the right type; missing files are 404', async (t) => {
  const root = await makeTempDir(t);
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Switchboard</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, '..', 'outside.txt'), 'secret').catch(() => {});

  const page = await serveDashboard('app://dashboard/tools', root);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-security-policy'), DASHBOARD_CSP);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await page.text(), /<title>Switchboard/);
  const script = await serveDashboard('app://dashboard/assets/app.js', root);
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await serveDashboard('app://dashboard/assets/none.js', root)).status, 404);
  assert.equal((await serveDashboard('app://dashboard/%2e%2e/outside.txt', root)).status, 404);
});
