// The dashboard window's security: an isolated, sandboxed renderer without Node, a Content-Security-Policy that
// allows only the app's own code and its core, and no way to navigate away or open windows. Links to the web open
// in the user's browser instead. Kept apart from the shell so it is tested without Electron.

/** webPreferences for the dashboard's BrowserWindow; `preload` is the contract's bridge script. */
export function dashboardWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** The dashboard's CSP: its own scripts and styles only, data: images (icons), and the core on loopback. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Whether the window may go to `url`: only pages of the dashboard itself. Compared as scheme and host, since a
 * custom scheme (`app://dashboard`) has no web origin to compare.
 */
export function isDashboardUrl(url: string, dashboardOrigin: string): boolean {
  const place = (text: string): string | null => {
    try {
      const parsed = new URL(text);
      return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host}`;
    } catch {
      return null;
    }
  };
  const target = place(url);
  return target !== null && target === place(dashboardOrigin);
}

/**
 * Whether a link may be handed to the user's browser: https pages only. Never file:, javascript: or custom
 * schemes, and not plain http, which would let a page aim the browser at services on this machine.
 */
export function isExternalWebUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The part of Electron's WebContents the guard uses. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Blocks navigation away from the dashboard and every new window; web links go to the browser. */
export function guardContents(
  contents: GuardedContents,
  dashboardOrigin: string,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (isDashboardUrl(url, dashboardOrigin)) return;
    event.preventDefault();
    if (isExternalWebUrl(url)) openExternal(url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}
