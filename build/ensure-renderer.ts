// `npm run serve` in a checkout: builds the dashboard (renderer/dist) when it is missing or older than its
// sources or the contract, so the printed Dashboard link always opens the current UI; otherwise does nothing.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = statSync(join(root, 'renderer/dist/index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(
  newest(join(root, 'renderer/src')),
  newest(join(root, 'renderer/index.html')),
  newest(join(root, 'renderer/public')),
  newest(join(root, 'preload/contract.ts')),
);
if (sources > built) {
  process.stderr.write(built === 0 ? 'building the dashboard…\n' : 'the dashboard changed; rebuilding it…\n');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
