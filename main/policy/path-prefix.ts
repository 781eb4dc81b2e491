// Is a path argument inside one of the allowed directories? Compared only after the path is resolved the way the
// kernel would resolve it (`~`, `.`, `..` and every symlink along the way), and on path-segment boundaries, so
// `/tmp/x/../etc/passwd`, `/tmp/xevil/f` and a symlink `/tmp/x/l -> /etc` are all outside `/tmp/x` (T19).
// What is checked is the path at the time of the call: a symlink swapped in afterwards is not seen.
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, parse, sep } from 'node:path';

export type Resolved = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** The real location a path names; components that do not exist yet are appended as written (after `..`). */
export async function resolvePath(raw: string, home: string): Promise<Resolved> {
  if (raw.includes('\0')) return { ok: false, reason: 'contains a NUL byte' };
  let path = raw;
  if (path === '~' || path.startsWith('~/')) path = join(home, path.slice(1));
  else if (path.startsWith('~')) return { ok: false, reason: `names another user's home directory (${raw})` };
  if (!isAbsolute(path)) return { ok: false, reason: `is not an absolute path (${raw})` };
  const { root } = parse(path);
  let current = root;
  for (const part of path.slice(root.length).split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const candidate = join(current, part);
    const step = await realStep(candidate);
    if (!step.ok) return step;
    current = step.path;
  }
  return { ok: true, path: current };
}

/** One step of the walk: a component that exists is followed through its symlinks; one that does not is kept. */
async function realStep(candidate: string): Promise<Resolved> {
  try {
    return { ok: true, path: await realpath(candidate) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ok: false, reason: `cannot be resolved (${code})` };
  }
  try {
    await lstat(candidate);
  } catch {
    return { ok: true, path: candidate };
  }
  // It exists but does not resolve: a dangling symlink, whose target a write would create wherever it points.
  return { ok: false, reason: `goes through a symbolic link that points nowhere (${candidate})` };
}

/** True when `path` is `root` or below it, comparing whole segments (`/tmp/x` does not contain `/tmp/xevil`). */
export function isWithin(path: string, root: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Whether `raw` resolves to a place under one of `roots` (resolved the same way); why not when it does not. */
export async function checkPathPrefix(
  raw: string,
  roots: readonly string[],
  home: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const resolved = await resolvePath(raw, home);
  if (!resolved.ok) return resolved;
  for (const root of roots) {
    const real = await resolvePath(root, home);
    if (real.ok && isWithin(resolved.path, real.path)) return { ok: true };
  }
  const shown = resolved.path === raw ? raw : `${raw} (resolved: ${resolved.path})`;
  return { ok: false, reason: `${shown} is outside the allowed directories ${roots.join(', ')}` };
}
