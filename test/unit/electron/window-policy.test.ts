// The dashboard window's guard against navigation and new windows, and its settings, without Electron: the
// guard is given a stand-in for WebContents that records what the window would have done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DASHBOARD_CSP,
  dashboardWebPreferences,
  guardContents,
  type GuardedContents,
} from '../../../main/electron/window-policy.ts';

const ORIGIN = 'http://127.0.0.1:8765';

function contents() {
  let navigate: ((event: { preventDefault(): void }, url: string) => void) | undefined;
  let open: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const fake: GuardedContents = {
    on: (_event, listener) => (navigate = listener),
    setWindowOpenHandler: (handler) => (open = handler),
  };
  const opened: string[] = [];
  guardContents(fake, ORIGIN, (url) => opened.push(url));
  const tryNavigate = (url: string): boolean => {
    let prevented = false;
    navigate!({ preventDefault: () => (prevented = true) }, url);
    return !prevented;
  };
  return { tryNavigate, open: (url: string) => open!({ url }).action, opened };
}

test('the window stays on the dashboard; https links open in the browser, anything else nowhere', () => {
  const c = contents();
  assert.equal(c.tryNavigate(`${ORIGIN}/tools`), true);
  assert.equal(c.tryNavigate('http://127.0.0.1:9999/'), false, 'another port is another origin');
  assert.equal(c.tryNavigate('https://example.com/docs'), false);
  assert.equal(c.tryNavigate('file:///etc/passwd'), false);
  assert.equal(c.open('https://github.com/x/y'), 'deny');
  assert.equal(c.open('javascript:alert(1)'), 'deny');
  assert.equal(c.open('smb://host/share'), 'deny');
  assert.equal(c.open('http://127.0.0.1:5432/'), 'deny');
  assert.deepEqual(c.opened, ['https://example.com/docs', 'https://github.com/x/y']);
});

test('the renderer is isolated and sandboxed, without Node; the CSP allows only its own code', () => {
  const prefs = dashboardWebPreferences('/app/preload.js');
  assert.deepEqual(
    [prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration, prefs.webSecurity, prefs.webviewTag],
    [true, true, false, true, false],
  );
  assert.match(DASHBOARD_CSP, /default-src 'none'/);
  assert.match(DASHBOARD_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|https:|(^|\s)\*(\s|;|$)/);
});
