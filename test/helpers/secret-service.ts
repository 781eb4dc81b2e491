// A private, real Secret Service for a test file: its own D-Bus session bus and gnome-keyring-daemon, unlocked
// with a throwaway password, keeping its keyrings in a temp folder. The developer's own keychain is never touched.
// Where the tools are missing the suite is skipped with the reason, except in CI, where that is a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';

export interface SecretService {
  /** The bus address to give any process that should reach this keychain. */
  readonly address: string;
  /** Environment variables for a child process: the bus and the keyring's folders. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const TOOLS = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'];

/** Why the keychain tests cannot run here, or null when they can. */
export function secretServiceMissing(): string | null {
  if (process.platform !== 'linux') return 'a private Secret Service is only set up on Linux';
  const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return null;
  return `missing ${missing.join(' and ')} (Debian: apt-get install dbus gnome-keyring libsecret-tools)`;
}

/** The skip option for `test()`: a reason outside CI, never in CI (a missing tool must fail there). */
export function skipWithoutSecretService(): string | false {
  const missing = secretServiceMissing();
  if (missing === null) return false;
  if (process.env['CI']) throw new Error(`keychain tests cannot run: ${missing}`);
  return missing;
}

/**
 * Starts the bus and an unlocked keyring. With `home`, the keyring files live there and outlive `stop()` (so a
 * second, locked start can find them); without, a temp folder is made and removed.
 */
export async function startSecretService(options: { home?: string } = {}): Promise<SecretService> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'switchboard-keyring-')));
  const env = {
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  // The daemon reads its unlock password from stdin; an empty password would leave no default collection.
  const script =
    'printf %s throwaway-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ' +
    'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null';
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  });
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the private Secret Service did not start within 10 s')), 10_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`dbus-run-session exited with ${code}`)));
  });
  return {
    address,
    env: { ...env, DBUS_SESSION_BUS_ADDRESS: address },
    async stop() {
      child.stdin?.end();
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      if (options.home === undefined) await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file whose core and CLI run in this process: starts a private Secret Service before its tests, points
 * this process at it (as a desktop session would), and stops it afterwards. `skip` goes into each test's options.
 */
export function usePrivateSecretService(): { readonly skip: string | false; service(): SecretService } {
  const skip = skipWithoutSecretService();
  let service: SecretService | undefined;
  before(async () => {
    if (skip) return;
    service = await startSecretService();
    process.env['DBUS_SESSION_BUS_ADDRESS'] = service.address;
  });
  after(async () => {
    await service?.stop();
  });
  return {
    skip,
    service: () => {
      if (service === undefined) throw new Error('the private Secret Service is not running');
      return service;
    },
  };
}
