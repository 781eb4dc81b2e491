// The version Switchboard reports to MCP clients and in `status`, read once from the package's package.json,
// which sits two folders up from the sources and three from the compiled files in dist/.
import { existsSync, readFileSync } from 'node:fs';

function findPackageJson(): URL {
  for (const up of ['../../package.json', '../../../package.json']) {
    const candidate = new URL(up, import.meta.url);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('package.json of Switchboard not found next to its sources');
}

export const SWITCHBOARD_VERSION: string = (JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string })
  .version;
