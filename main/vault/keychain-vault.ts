// The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, Secret Service on Linux.
// Every secret is one entry of service "Switchboard" whose account is the secret's name.
//
// On Linux the store is pinned to Secret Service. The library would otherwise fall back to the kernel keyring,
// which forgets everything at logout or reboot: servers would then fail days later for no visible reason.
// The library connects once per process and keeps the outcome: a keychain that was unreachable stays so until
// Switchboard is started again, which is what the messages below tell people to do.
import { existsSync } from 'node:fs';
import type { AsyncEntry } from '@napi-rs/keyring';
import { failed, ok, type SecretVault, type VaultFailure, type VaultResult } from './vault.ts';

export const KEYCHAIN_SERVICE = 'Switchboard';

export interface KeychainEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  readonly exists: (path: string) => boolean;
}

function currentKeychainEnv(): KeychainEnv {
  return {
    env: process.env,
    platform: process.platform,
    uid: process.getuid?.() ?? -1,
    exists: existsSync,
  };
}

/**
 * The session bus address to use on Linux. A process started from a service manager or a bare shell (the bridge
 * an IDE launches with only HOME and PATH) has no DBUS_SESSION_BUS_ADDRESS although the user's bus is running at
 * its default path; that path is used then. Returns null when there is no bus to be found.
 */
export function sessionBusAddress(inputs: KeychainEnv): string | null {
  const set = inputs.env['DBUS_SESSION_BUS_ADDRESS'];
  if (set !== undefined && set !== '') return set;
  const runtime = inputs.env['XDG_RUNTIME_DIR'] || (inputs.uid >= 0 ? `/run/user/${inputs.uid}` : '');
  const path = runtime === '' ? '' : `${runtime}/bus`;
  return path !== '' && inputs.exists(path) ? `unix:path=${path}` : null;
}

const FILE_VAULT_HINT =
  'or keep secrets in the encrypted file vault instead: add --vault file (see `switchboard secret --help`)';

/** Turns what the keychain library threw into a failure that names what is missing and how to fix it. */
export function describeKeychainError(error: unknown, platform: NodeJS.Platform): VaultFailure {
  const text =
    error instanceof Error
      ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`
      : String(error);
  if (platform === 'linux') {
    const socket = /Failed to connect to socket ([^:]+)/.exec(text);
    if (socket !== null) {
      return {
        kind: 'unavailable',
        message:
          `the OS keychain is not reachable: the D-Bus session bus at ${socket[1]} does not answer ` +
          '(DBUS_SESSION_BUS_ADDRESS points there). Start Switchboard from your desktop session, or fix the variable ' +
          `and start it again; ${FILE_VAULT_HINT}.`,
      };
    }
    if (/DBUS_SESSION_BUS_ADDRESS|autolaunch/i.test(text)) {
      return {
        kind: 'unavailable',
        message:
          'the OS keychain is not reachable: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and ' +
          'no bus was found at $XDG_RUNTIME_DIR/bus). Run Switchboard inside your desktop session, or start one ' +
          `with \`dbus-run-session\` and \`gnome-keyring-daemon --unlock --components=secrets\`; ${FILE_VAULT_HINT}.`,
      };
    }
    if (/ServiceUnknown|org\.freedesktop\.secrets|not provided by any \.service|no secret service/i.test(text)) {
      return {
        kind: 'unavailable',
        message:
          'the OS keychain is not reachable: no Secret Service answers on the session bus. Install and start ' +
          `gnome-keyring (or KWallet with its Secret Service bridge); ${FILE_VAULT_HINT}.`,
      };
    }
  }
  if (/locked|prompt was dismissed|dismissed|user canceled|interaction not allowed/i.test(text)) {
    return {
      kind: 'locked',
      message:
        'the OS keychain is locked and could not ask to be unlocked. Unlock it (log in to the desktop session, or ' +
        `\`gnome-keyring-daemon --unlock\` on Linux), then restart the server; ${FILE_VAULT_HINT}.`,
    };
  }
  return { kind: 'failed', message: `the OS keychain refused: ${text.trim()}` };
}

export class KeychainVault implements SecretVault {
  readonly label: string;
  readonly #inputs: KeychainEnv;

  constructor(inputs: KeychainEnv = currentKeychainEnv()) {
    this.#inputs = inputs;
    this.label =
      inputs.platform === 'darwin'
        ? 'the macOS Keychain'
        : inputs.platform === 'win32'
          ? 'the Windows Credential Manager'
          : 'the OS keychain (Secret Service)';
  }

  get(name: string): Promise<VaultResult<string | null>> {
    return this.#use(name, (entry) => entry.getPassword());
  }

  set(name: string, value: string): Promise<VaultResult<void>> {
    return this.#use(name, async (entry) => {
      await entry.setPassword(value);
    });
  }

  delete(name: string): Promise<VaultResult<boolean>> {
    return this.#use(name, (entry) => entry.deleteCredential());
  }

  async #use<T>(name: string, act: (entry: AsyncEntry) => Promise<T>): Promise<VaultResult<T>> {
    const { platform } = this.#inputs;
    if (platform === 'linux') {
      const bus = sessionBusAddress(this.#inputs);
      if (bus === null)
        return { ok: false, error: describeKeychainError(new Error('DBUS_SESSION_BUS_ADDRESS'), platform) };
      // The library reads the bus address from the process environment when it connects.
      if (process.env['DBUS_SESSION_BUS_ADDRESS'] !== bus) process.env['DBUS_SESSION_BUS_ADDRESS'] = bus;
    }
    try {
      // Loaded on first use: a gateway with no secrets never loads the native module.
      const { AsyncEntry: Entry } = await import('@napi-rs/keyring');
      const entry = new Entry(KEYCHAIN_SERVICE, name, { linux: { store: 'secret-service' } });
      return ok(await act(entry));
    } catch (error) {
      const failure = describeKeychainError(error, platform);
      return failed(failure.kind, failure.message);
    }
  }
}
