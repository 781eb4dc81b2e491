// Open at login, as a setting the tray's check box turns on and off. macOS and Windows have it in Electron
// (app.setLoginItemSettings: a login item, a Run registry value); Electron has nothing for Linux, where desktops
// follow the XDG autostart spec: a .desktop file in ~/.config/autostart.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppPart } from './electron-parts.ts';

export interface LoginItem {
  /** Whether the app opens at login; undefined where that cannot be known. */
  isOn(): Promise<boolean | undefined>;
  set(open: boolean): Promise<void>;
}

/** One argument of an Exec line, quoted as the Desktop Entry spec asks. */
function execArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\$`<>~|&;*?#()]/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart entry that starts `command` (the executable and its arguments). */
export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Switchboard',
    'Comment=MCP gateway and supervisor',
    `Exec=${command.map(execArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function xdgLoginItem(configHome: string, command: readonly string[]): LoginItem {
  const file = join(configHome, 'autostart', 'switchboard.desktop');
  return {
    async isOn() {
      try {
        const text = await readFile(file, 'utf8');
        return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
      } catch {
        return false;
      }
    },
    async set(open) {
      if (!open) return rm(file, { force: true });
      await mkdir(join(configHome, 'autostart'), { recursive: true });
      await writeFile(file, autostartEntry(command), { mode: 0o644 });
    },
  };
}

export function electronLoginItem(app: Pick<AppPart, 'setLoginItemSettings' | 'getLoginItemSettings'>): LoginItem {
  return {
    isOn: async () => app.getLoginItemSettings().openAtLogin,
    set: async (open) => app.setLoginItemSettings({ openAtLogin: open }),
  };
}

export function loginItemFor(
  platform: NodeJS.Platform,
  app: Pick<AppPart, 'setLoginItemSettings' | 'getLoginItemSettings'>,
  linux: { readonly configHome: string; readonly command: readonly string[] },
): LoginItem {
  return platform === 'darwin' || platform === 'win32'
    ? electronLoginItem(app)
    : xdgLoginItem(linux.configHome, linux.command);
}
