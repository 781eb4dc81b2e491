// The tray's colour, tooltip and menu as functions of the core's status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trayLook } from '../../../main/electron/tray-health.ts';
import { trayMenu, type MenuEntry } from '../../../main/electron/tray-menu.ts';
import { CRASH_LOOP, LOGIN, MISSING, RUNNING, report, server } from './status-fixture.ts';

test('the colour says whether everything runs, something is on its way, or something needs a person', () => {
  assert.equal(trayLook(report([server('a', RUNNING), server('b', RUNNING)]), false).health, 'ok');
  const starting = { state: 'starting', since: 1, attempt: 1 } as const;
  assert.equal(trayLook(report([server('a', RUNNING), server('b', starting)]), false).health, 'degraded');
  const look = trayLook(report([server('a', RUNNING), server('b', starting), server('c', CRASH_LOOP)]), false);
  assert.equal(look.health, 'failed');
  assert.equal(look.tooltip, 'Switchboard: 1 running, 1 not ready (b), 1 need attention (c)');
  assert.equal(
    trayLook(report([server('a', CRASH_LOOP, false)]), false).health,
    'idle',
    'a disabled server is not counted',
  );
  assert.equal(trayLook(report([]), false).tooltip, 'Switchboard: no servers yet');
  assert.equal(trayLook(report([server('a', RUNNING)]), true).health, 'paused');
  assert.equal(trayLook(report([server('a', RUNNING)], { auditFailure: 'disk full' }), false).health, 'degraded');
});

function labels(entries: readonly MenuEntry[]): string[] {
  return entries.map((e) => (e.type === 'separator' ? '---' : e.label));
}

test('the menu lists each server with its state and the fix that applies to it', () => {
  const entries = trayMenu({
    report: report([server('fs', RUNNING), server('web', CRASH_LOOP), server('linear', LOGIN), server('gh', MISSING)]),
    paused: false,
    clients: [
      { id: 'cursor', name: 'Cursor', state: 'not-connected' },
      { id: 'claude-desktop', name: 'Claude Desktop', state: 'connected' },
      { id: 'zed', name: 'Zed', state: 'stale' },
    ],
  });
  assert.deepEqual(labels(entries), [
    'fs: running',
    'web: failed: keeps crashing',
    'linear: needs sign-in',
    'gh: blocked: a secret is missing',
    '---',
    'Pause gateway',
    'Connect a client',
    'Open dashboard',
    '---',
    'Quit Switchboard',
  ]);
  const submenu = (label: string) => {
    const entry = entries.find((e) => e.type === 'item' && e.label === label);
    assert.ok(entry?.type === 'item' && entry.submenu);
    return entry.submenu;
  };
  assert.deepEqual(
    submenu('web: failed: keeps crashing').map((e) => e.type === 'item' && e.action),
    [
      { kind: 'restart', server: 'web' },
      { kind: 'open-dashboard', page: 'servers' },
    ],
  );
  const linear = submenu('linear: needs sign-in')[0]!;
  assert.ok(linear.type === 'item');
  assert.deepEqual([linear.label, linear.action], ['Log in…', { kind: 'login', server: 'linear' }]);
  const gh = submenu('gh: blocked: a secret is missing')[0]!;
  assert.ok(gh.type === 'item');
  assert.deepEqual(gh.action, { kind: 'open-dashboard', page: 'credentials' });
  const clients = submenu('Connect a client');
  assert.deepEqual(
    clients.map((e) => e.type === 'item' && [e.label, e.enabled, e.action ?? null]),
    [
      ['Cursor', true, { kind: 'connect-client', client: 'cursor' }],
      ['Claude Desktop (connected)', false, null],
      ['Zed: repair connection', true, { kind: 'connect-client', client: 'zed' }],
    ],
  );
});

test('a paused gateway offers Resume; no servers and no clients say what to do instead', () => {
  const entries = trayMenu({ report: report([]), paused: true, clients: [] });
  assert.deepEqual(labels(entries).slice(0, 4), [
    'No servers yet: add one in the dashboard',
    '---',
    'Resume gateway',
    'Connect a client',
  ]);
  const clients = entries[3]!;
  assert.ok(clients.type === 'item' && clients.submenu);
  assert.deepEqual(
    clients.submenu.map((e) => e.type === 'item' && [e.label, e.enabled]),
    [['No IDE clients found on this machine', false]],
  );
});

test('Open at login is a check box whose action turns it the other way; left out where the shell cannot tell', () => {
  const entry = (openAtLogin?: boolean) =>
    trayMenu({ report: report([]), paused: false, clients: [], openAtLogin }).find(
      (e) => e.type === 'item' && e.label === 'Open at login',
    );
  assert.deepEqual(entry(false), {
    type: 'item',
    label: 'Open at login',
    enabled: true,
    checked: false,
    action: { kind: 'set-open-at-login', open: true },
  });
  const on = entry(true);
  assert.ok(on?.type === 'item');
  assert.deepEqual([on.checked, on.action], [true, { kind: 'set-open-at-login', open: false }]);
  assert.equal(entry(undefined), undefined);
});
