// Whether a server should run lives where the rest of its settings do: its `enabled` flag in config.json. A start
// or stop by hand (tray, dashboard, CLI) is written there before it is carried out, atomically, so the choice
// survives a quit, a crash of the app and a reboot: the next start runs exactly the servers meant to run. One
// flag, one place: `server list`, the dashboard's form and a hand edit all see and change the same thing.
import type { ServerConfig } from '../config/schema.ts';
import { updateConfig } from '../config/update-config.ts';

export type RunIntentResult =
  { readonly ok: true; readonly server: ServerConfig } | { readonly ok: false; readonly error: string };

/**
 * Records in config.json that server `name` should run (`run`) or not. Enabling drops an `"enabled": false`
 * rather than writing the default, so the file keeps only choices someone made.
 */
export async function recordRunIntent(dataDir: string, name: string, run: boolean): Promise<RunIntentResult> {
  const result = await updateConfig(dataDir, (draft) => {
    const entry = draft.servers?.[name];
    if (entry === undefined) return new Error(`no server named "${name}" in config.json`);
    if (run) delete entry.enabled;
    else entry.enabled = false;
    return draft;
  });
  if (!result.ok) {
    return {
      ok: false,
      error: result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
    };
  }
  const server = result.config.servers[name];
  return server === undefined ? { ok: false, error: `no server named "${name}" in config.json` } : { ok: true, server };
}
