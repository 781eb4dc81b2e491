// Where `serve` finds the built dashboard: beside the sources in a checkout, and beside dist/ when it runs compiled
// (an installed package, the desktop app, the container image), the same renderer/dist at the project's root.
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as RendererFilesModule from '../../../main/dashboard/renderer-files.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const SOURCE = fileURLToPath(new URL('../../../main/dashboard/renderer-files.ts', import.meta.url));

async function layout(root: string, moduleDir: string): Promise<string> {
  await mkdir(join(root, moduleDir), { recursive: true });
  await mkdir(join(root, 'renderer', 'dist', 'assets'), { recursive: true });
  await writeFile(join(root, 'renderer', 'dist', 'index.html'), '<!doctype html><title>Switchboard</title>');
  await writeFile(join(root, 'renderer', 'dist', 'assets', 'app.js'), 'console.log(1)');
  const copy = join(root, moduleDir, 'renderer-files.ts');
  await copyFile(SOURCE, copy);
  return copy;
}

for (const [name, moduleDir] of [
  ['run from the sources (main/dashboard/)', join('main', 'dashboard')],
  ['run compiled (dist/main/dashboard/)', join('dist', 'main', 'dashboard')],
] as const) {
  test(`the built dashboard is found at the project root's renderer/dist when ${name}`, async (t) => {
    const root = await makeTempDir(t);
    const module = (await import(pathToFileURL(await layout(root, moduleDir)).href)) as typeof RendererFilesModule;
    assert.equal(module.rendererDistDir(), join(root, 'renderer', 'dist'));
    const files = new module.RendererFiles();
    assert.equal(files.get('/assets/app.js')?.type, 'text/javascript; charset=utf-8');
  });
}
