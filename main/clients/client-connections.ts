// Connecting IDE clients to the gateway: each client's status (not installed, not connected, connected, stale),
// connect (a token for the client in the vault, one `switchboard` entry in its file), disconnect (our entry out,
// the token revoked) and repair (connect again). The CLI, the dashboard and the tray all call this service.
import { existsSync } from 'node:fs';
import { access, constants, rm, stat } from 'node:fs/promises';
import type { TokenStore } from '../gateway/auth/token-store.ts';
import type { SecretVault } from '../vault/vault.ts';
import {
  CLIENTS,
  CLIENT_IDS,
  isInstalled,
  locate,
  pathsFor,
  VSCODE_INPUT_ID,
  type BridgeLauncher,
  type ClientEnv,
  type ClientId,
  type ClientLocation,
  type ClientScope,
  type EntrySpec,
} from './client-registry.ts';
import {
  applyServersEdit,
  editClientFile,
  readClientFile,
  replaceClientFile,
  serversIn,
  sha256,
  BACKUP_SUFFIX,
  type ServersEdit,
} from './client-file.ts';
import { ConnectionRecords } from './connection-records.ts';
import {
  ENTRY_NAME,
  VSCODE_TOKEN_INPUT,
  bridgeSpec,
  clientTokenSecret,
  entryDrift,
  expectedEntry,
  ourEntryKind,
  type EntryKind,
} from './our-entry.ts';

export interface ClientConnectionsDeps {
  readonly dataDir: string;
  readonly env: ClientEnv;
  readonly tokens: TokenStore;
  readonly vault: SecretVault;
  readonly launcher: BridgeLauncher;
  /** The gateway's URL, for URL entries. */
  readonly gatewayUrl: () => Promise<string>;
}

export type ClientState = 'not-installed' | 'not-connected' | 'connected' | 'stale';

export interface ClientStatus {
  readonly id: ClientId;
  readonly label: string;
  readonly scope: ClientScope;
  readonly file: string;
  readonly state: ClientState;
  /** Why it is stale, or what stands in the way (a foreign `switchboard` entry, a broken file). */
  readonly reason?: string;
  readonly entry?: EntryKind;
}

export interface Target {
  readonly scope?: ClientScope;
  /** The project folder, for `scope: 'project'`. */
  readonly project?: string;
}

export interface ConnectOptions extends Target {
  /** Write the gateway URL with a token reference instead of the stdio bridge. */
  readonly url?: boolean;
  /** Create the client's folder even though the client does not look installed. */
  readonly force?: boolean;
  /** Entries removed in the same write (import's replace: they now run behind the gateway). */
  readonly replacing?: readonly string[];
}

export interface ConnectResult {
  readonly file: string;
  readonly changed: boolean;
  readonly backup: string | null;
  /** A new token was created (an earlier one missing from the vault, revoked or expired is replaced). */
  readonly newToken: boolean;
  /** For a URL entry only: the token the person gives the client once (env variable or VS Code's prompt). */
  readonly token?: string;
  readonly reload: string;
}

export interface DisconnectResult {
  readonly file: string;
  readonly removed: boolean;
  /** The file went back to its bytes from before connect (nothing else had changed it). */
  readonly restored: boolean;
  readonly revoked: boolean;
}

/** Recorded instead of a hash when disconnect must not put the original bytes back. */
const NOT_RESTORABLE = 'not-restorable';

export class ClientConnections {
  readonly #deps: ClientConnectionsDeps;
  readonly #records: ConnectionRecords;

  constructor(deps: ClientConnectionsDeps) {
    this.#deps = deps;
    this.#records = new ConnectionRecords(deps.dataDir);
  }

  location(id: ClientId, target: Target = {}): ClientLocation {
    const found = locate(id, target.scope ?? 'user', this.#deps.env, target.project);
    if (found instanceof Error) throw found;
    return found;
  }

  /** The servers in the client's file, by name, as written. */
  async servers(id: ClientId, target: Target = {}): Promise<Record<string, unknown>> {
    const location = this.location(id, target);
    return serversIn(location, await readClientFile(location.file));
  }

  /** Every client's user-level status: what `switchboard clients` lists and the app checks at start. */
  async list(): Promise<ClientStatus[]> {
    return Promise.all(CLIENT_IDS.map((id) => this.status(id)));
  }

  async status(id: ClientId, target: Target = {}): Promise<ClientStatus> {
    const location = this.location(id, target);
    const base = { id, label: CLIENTS[id].label, scope: location.scope, file: location.file };
    if (location.scope === 'user' && !isInstalled(id, this.#deps.env) && !existsSync(location.file)) {
      return { ...base, state: 'not-installed' };
    }
    let entry: unknown;
    try {
      entry = serversIn(location, await readClientFile(location.file))[ENTRY_NAME];
    } catch (error) {
      return { ...base, state: 'not-connected', reason: (error as Error).message };
    }
    if (entry === undefined) return { ...base, state: 'not-connected' };
    const kind = ourEntryKind(entry);
    if (kind === null) {
      return { ...base, state: 'not-connected', reason: `a "${ENTRY_NAME}" entry that is not Switchboard's is there` };
    }
    const problem = await this.#entryProblem(id, entry, kind);
    return problem === null
      ? { ...base, state: 'connected', entry: kind }
      : { ...base, state: 'stale', reason: problem, entry: kind };
  }

  /** Writes our entry (creating or reusing the client's token); idempotent, and repairs a stale entry. */
  async connect(id: ClientId, options: ConnectOptions = {}): Promise<ConnectResult> {
    const client = CLIENTS[id];
    const location = this.location(id, options);
    if (options.url === true && client.urlRefusal !== null) throw new Error(client.urlRefusal);
    await this.#checkWhere(id, location, options);
    const current = serversIn(location, await readClientFile(location.file))[ENTRY_NAME];
    if (current !== undefined && ourEntryKind(current) === null) {
      throw new Error(
        `${location.file} already has a "${ENTRY_NAME}" entry that is not Switchboard's; rename or remove it first. The file was left unchanged`,
      );
    }
    const spec = await this.#spec(id, options.url === true);
    const token = await this.#ensureToken(id);
    const entry = expectedEntry(id, spec);
    const removed = Object.fromEntries((options.replacing ?? []).map((name): [string, null] => [name, null]));
    const edit: ServersEdit = {
      entries: { ...removed, [ENTRY_NAME]: entry },
      ...(id === 'vscode'
        ? { inputs: { [VSCODE_INPUT_ID]: spec.kind === 'url' ? { ...VSCODE_TOKEN_INPUT } : null } }
        : {}),
    };
    const outcome = await this.#write(id, location, (text) => applyServersEdit(location, text, edit), {
      createFolder: location.scope === 'project' || options.force === true,
      firstConnect: current === undefined,
      backup: current === undefined || (options.replacing ?? []).length > 0,
      restorable: (options.replacing ?? []).length === 0,
    });
    return {
      file: location.file,
      changed: outcome.changed,
      backup: outcome.backup,
      newToken: token.created,
      ...(spec.kind === 'url' ? { token: token.value } : {}),
      reload: client.reload,
    };
  }

  /** Removes our entry (only ours) and revokes the client's token unless another of its files still uses it. */
  async disconnect(id: ClientId, target: Target = {}): Promise<DisconnectResult> {
    const location = this.location(id, target);
    const text = await readClientFile(location.file);
    const current = serversIn(location, text)[ENTRY_NAME];
    if (current !== undefined && ourEntryKind(current) === null) {
      throw new Error(`the "${ENTRY_NAME}" entry in ${location.file} is not Switchboard's; it was left alone`);
    }
    let removed = false;
    let restored = false;
    if (current !== undefined) {
      restored = await this.#restoreOriginal(location, text);
      if (!restored) {
        const edit: ServersEdit = {
          entries: { [ENTRY_NAME]: null },
          ...(id === 'vscode' ? { inputs: { [VSCODE_INPUT_ID]: null } } : {}),
        };
        await editClientFile(location, (t) => applyServersEdit(location, t, edit), {
          createFolder: false,
          backup: true,
        });
      }
      removed = true;
    }
    await this.#records.set(location.file, null);
    let revoked = false;
    if (this.#records.othersOf(id, location.file).length === 0) {
      revoked = (await this.#deps.tokens.revoke(id)).ok;
      await this.#deps.vault.delete(clientTokenSecret(id));
    }
    return { file: location.file, removed, restored, revoked };
  }

  /** Connects again every stale client, keeping the kind of entry it had; what the app does on "repair". */
  async repair(id: ClientId, target: Target = {}): Promise<ConnectResult> {
    const status = await this.status(id, target);
    return this.connect(id, { ...target, url: status.entry === 'url' });
  }

  /** A write whose result is recorded, so disconnect can put the original bytes back. */
  async #write(
    id: ClientId,
    location: ClientLocation,
    edit: (text: string | null) => string,
    options: { createFolder: boolean; firstConnect: boolean; backup: boolean; restorable: boolean },
  ) {
    const outcome = await editClientFile(location, edit, {
      createFolder: options.createFolder,
      backup: options.backup,
    });
    const previous = this.#records.get(location.file);
    // After import's replace the original bytes hold servers that now run behind the gateway: never put back.
    const original = !options.restorable
      ? NOT_RESTORABLE
      : options.firstConnect || previous === undefined
        ? sha256(outcome.before)
        : previous.original;
    if (outcome.changed || previous === undefined) {
      await this.#records.set(location.file, {
        client: id,
        scope: location.scope,
        written: sha256(outcome.after)!,
        original,
      });
    }
    return outcome;
  }

  /** Puts back the bytes from before connect when the file is exactly as we left it; false otherwise. */
  async #restoreOriginal(location: ClientLocation, text: string | null): Promise<boolean> {
    const record = this.#records.get(location.file);
    if (record === undefined || sha256(text) !== record.written) return false;
    if (record.original === null) {
      // There was no file before connect: nothing else is in it, so it goes.
      await rm(location.file, { force: true });
      return true;
    }
    const backup = await readClientFile(`${location.file}${BACKUP_SUFFIX}`);
    if (backup === null || sha256(backup) !== record.original) return false;
    await replaceClientFile(location.file, backup);
    return true;
  }

  /** A missing client or folder is refused with what to do, before a token is made. */
  async #checkWhere(id: ClientId, location: ClientLocation, options: ConnectOptions): Promise<void> {
    if (location.scope === 'project') {
      const project = options.project!;
      const isDir = await stat(project).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) throw new Error(`the project folder ${project} does not exist; nothing was written`);
      return;
    }
    if (options.force !== true && !isInstalled(id, this.#deps.env) && !existsSync(location.file)) {
      const folder = pathsFor(this.#deps.env.platform).dirname(location.file);
      throw new Error(
        `${CLIENTS[id].label} does not look installed here (no ${folder}); install it first, or pass --force to create ${location.file}. Nothing was written`,
      );
    }
  }

  async #spec(id: ClientId, url: boolean): Promise<EntrySpec> {
    if (url) return { kind: 'url', url: await this.#deps.gatewayUrl() };
    return bridgeSpec(this.#deps.launcher, id, this.#deps.dataDir, this.#deps.env);
  }

  /** The client's token from the vault when it still works, else a new one stored there (the old one revoked). */
  async #ensureToken(id: ClientId): Promise<{ value: string; created: boolean }> {
    const stored = await this.#deps.vault.get(clientTokenSecret(id));
    if (!stored.ok)
      throw new Error(`cannot read the client token from ${this.#deps.vault.label}: ${stored.error.message}`);
    if (stored.value !== null) {
      const verified = this.#deps.tokens.verify(stored.value, 'client');
      if (verified.ok && verified.name === id) return { value: stored.value, created: false };
    }
    // A token of this name whose value we no longer hold cannot be handed to the bridge: replace it.
    await this.#deps.tokens.revoke(id);
    const created = await this.#deps.tokens.create(id);
    if (!created.ok) throw new Error(created.error);
    const saved = await this.#deps.vault.set(clientTokenSecret(id), created.value.token);
    if (!saved.ok) {
      await this.#deps.tokens.revoke(id);
      throw new Error(`cannot store the client token in ${this.#deps.vault.label}: ${saved.error.message}`);
    }
    return { value: created.value.token, created: true };
  }

  /** Why a connected entry no longer works, or null. */
  async #entryProblem(id: ClientId, entry: unknown, kind: EntryKind): Promise<string | null> {
    const drift = entryDrift(entry, expectedEntry(id, await this.#spec(id, kind === 'url')));
    if (drift !== null) return drift;
    if (kind === 'stdio') {
      const command = (entry as { command: string }).command;
      const runnable = await access(command, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (!runnable) return `the bridge command ${command} is missing or not executable`;
    }
    const stored = await this.#deps.vault.get(clientTokenSecret(id));
    if (!stored.ok) return `the client token cannot be read: ${stored.error.message}`;
    if (stored.value === null) return `no token for ${id} in ${this.#deps.vault.label}`;
    const verified = this.#deps.tokens.verify(stored.value, 'client');
    if (!verified.ok) return `the client token is ${verified.reason}`;
    return null;
  }
}
