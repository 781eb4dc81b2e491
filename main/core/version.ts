// The version Switchboard reports to MCP clients and in `status`, read once from package.json.
import { readFileSync } from 'node:fs';

export const SWITCHBOARD_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
