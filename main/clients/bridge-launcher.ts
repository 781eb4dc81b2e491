// How a client starts the bridge: by absolute paths that survive a changed PATH (GUI clients get a minimal one).
// In a checkout or an npm install that is this Node and bin/switchboard.js; in the packaged app, the app's own
// binary in Node mode.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BridgeLauncher } from './client-registry.ts';

export function currentLauncher(): BridgeLauncher {
  // From main/clients/ in a checkout, from dist/main/clients/ in a build.
  const candidates = ['../../bin/switchboard.js', '../../../bin/switchboard.js'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const script = candidates.find((path) => existsSync(path)) ?? candidates[0]!;
  let resolved = script;
  try {
    resolved = realpathSync(script);
  } catch {
    // Inside an asar archive there is no real path to resolve; the archive path works in Node mode.
  }
  const electron = process.versions['electron'] !== undefined;
  return {
    command: process.execPath,
    args: [resolved],
    env: electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
  };
}
