import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPathPrefix, isWithin, resolvePath } from '../../../main/policy/path-prefix.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function tree(t: Parameters<typeof makeTempDir>[0]) {
  const base = await makeTempDir(t);
  const root = join(base, 'x');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(base, 'xevil'));
  await mkdir(join(base, 'outside'));
  await writeFile(join(root, 'ok.txt'), 'ok');
  await symlink('/etc', join(root, 'l'));
  await symlink(join(base, 'outside'), join(root, 'sub', 'up'));
  await symlink(join(base, 'nowhere', 'file'), join(root, 'dangling'));
  await symlink(join(root, 'sub'), join(base, 'inside-link'));
  return { base, root, home: join(base, 'home') };
}

test('T19 a path inside the root passes, also one that does not exist yet', async (t) => {
  const { root, home } = await tree(t);
  assert.deepEqual(await checkPathPrefix(join(root, 'ok.txt'), [root], home), { ok: true });
  assert.deepEqual(await checkPathPrefix(join(root, 'new', 'deeper.txt'), [root], home), { ok: true });
  assert.deepEqual(await checkPathPrefix(join(root, 'sub', '..', 'ok.txt'), [root], home), { ok: true });
  assert.deepEqual(await checkPathPrefix(root, [root], home), { ok: true });
});

test('T19 escapes through .., a sibling with the same prefix, symlinks, ~ and NUL are refused', async (t) => {
  const { base, root, home } = await tree(t);
  const refused = async (path: string, why: RegExp) => {
    const result = await checkPathPrefix(path, [root], home);
    assert.equal(result.ok, false, `${path} must be refused`);
    if (!result.ok) assert.match(result.reason, why);
  };
  await refused(`${root}/../etc/passwd`, /outside the allowed directories/);
  await refused(join(base, 'xevil', 'f'), /outside/);
  await refused(join(root, 'l', 'passwd'), /resolved: \/etc\/passwd/);
  await refused(join(root, 'sub', 'up', 'secret'), /outside/);
  await refused(`${root}/l/../../etc`, /outside/);
  await refused('~/.ssh/id_rsa', new RegExp(`${home}/.ssh/id_rsa`));
  await refused(`${root}/ok.txt\0.png`, /NUL byte/);
  await refused(join(root, 'dangling'), /symbolic link that points nowhere/);
  await refused('relative/path', /not an absolute path/);
  await refused('~root/.ssh/id_rsa', /another user's home/);
});

test('a root given through a symlink is compared by its real location', async (t) => {
  const { base, root, home } = await tree(t);
  assert.deepEqual(await checkPathPrefix(join(root, 'sub', 'a.txt'), [join(base, 'inside-link')], home), {
    ok: true,
  });
  assert.equal((await checkPathPrefix(join(root, 'ok.txt'), [join(base, 'inside-link')], home)).ok, false);
});

test('resolvePath follows .. after a symlink the way the kernel does', async (t) => {
  const { root, home } = await tree(t);
  // l -> /etc, so l/.. is /, not the root.
  assert.deepEqual(await resolvePath(`${root}/l/..`, home), { ok: true, path: '/' });
  assert.deepEqual(await resolvePath('~', home), { ok: true, path: home });
});

test('isWithin compares whole path segments', () => {
  assert.equal(isWithin('/tmp/x', '/tmp/x'), true);
  assert.equal(isWithin('/tmp/x/a', '/tmp/x'), true);
  assert.equal(isWithin('/tmp/xevil', '/tmp/x'), false);
  assert.equal(isWithin('/anything', '/'), true);
});
