// Notifications come on transitions, once, each with the button that fixes what happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationsFor } from '../../../main/electron/notification-rules.ts';
import { CRASH_LOOP, LOGIN, MISSING, RUNNING, report, server } from './status-fixture.ts';

test('a crash loop, a sign-in and a missing secret each get one notification with their fix', () => {
  const before = report([server('web', RUNNING), server('linear', RUNNING), server('gh', RUNNING)]);
  const after = report([server('web', CRASH_LOOP), server('linear', LOGIN), server('gh', MISSING)]);
  const notes = notificationsFor(before, after);
  assert.deepEqual(
    notes.map((n) => [n.title, n.button?.label, n.button?.action]),
    [
      ['web keeps crashing', 'Restart', { kind: 'restart', server: 'web' }],
      ['linear needs you to sign in', 'Log in', { kind: 'login', server: 'linear' }],
      ['gh cannot start', 'Fix credentials', { kind: 'open-dashboard', page: 'credentials' }],
    ],
  );
  assert.match(notes[0]!.body, /stopped restarting it\. The last run exited with code 1\./);
  assert.match(notes[2]!.body, /switchboard secret set GITHUB_TOKEN/, 'the body carries the core’s actionable message');
  assert.deepEqual(notificationsFor(after, after), [], 'a state that lasts is not announced again');
  assert.deepEqual(notificationsFor(after, before), [], 'recovering is not an alarm');
});

test('at start, only what needs a person is announced', () => {
  const starting = { state: 'starting', since: 1, attempt: 1 } as const;
  const notes = notificationsFor(null, report([server('a', starting), server('b', RUNNING), server('c', CRASH_LOOP)]));
  assert.deepEqual(
    notes.map((n) => n.id),
    ['server:c:crash-loop'],
  );
});

test('a secret is announced a week before, a day before and when it expires, once each', () => {
  const at = (expiry: Parameters<typeof report>[1] extends infer M ? M : never) => report([], expiry);
  const valid = at({ secrets: [{ name: 'GH', expiry: { state: 'valid', expires: '2026-12-30' } }] });
  const week = at({ secrets: [{ name: 'GH', expiry: { state: 'expiring', expires: '2026-12-01', days: 7 } }] });
  const day = at({ secrets: [{ name: 'GH', expiry: { state: 'expiring', expires: '2026-12-01', days: 1 } }] });
  const gone = at({ secrets: [{ name: 'GH', expiry: { state: 'expired', expires: '2026-12-01' } }] });
  assert.deepEqual(notificationsFor(valid, valid), []);
  const steps = [
    notificationsFor(valid, week),
    notificationsFor(week, week),
    notificationsFor(week, day),
    notificationsFor(day, gone),
  ];
  assert.deepEqual(
    steps.map((notes) => notes.map((n) => n.title)),
    [['Secret GH expires within 7 days'], [], ['Secret GH expires within a day'], ['Secret GH has expired']],
  );
  assert.deepEqual(steps[3]![0]!.button, { label: 'Rotate', action: { kind: 'open-dashboard', page: 'credentials' } });
});

test('the audit log failing is announced when it starts failing', () => {
  const ok = report([]);
  const failing = report([], { auditFailure: 'the audit journal cannot be written: ENOSPC' });
  assert.deepEqual(
    notificationsFor(ok, failing).map((n) => n.title),
    ['The audit log cannot be written'],
  );
  assert.deepEqual(notificationsFor(failing, failing), []);
});

interface Alert {
  readonly reason: string;
  readonly message: string;
  readonly at: string;
  readonly version: number;
}

/** A status report of a machine enrolled in team acme, at `version`, with its newest alert. */
function teamReport(version: number | null, lastAlert: Alert | null = null) {
  return {
    ...report([]),
    teamPolicy: {
      url: 'https://policy.example/team.jws',
      team: 'acme',
      state: 'active' as const,
      enforced: 'document' as const,
      version,
      expiresAt: null,
      lastSync: null,
      nextSyncAt: null,
      failures: 1,
      lastAlert,
      policy: null,
      conflicts: [],
      settings: null,
    },
  };
}

test('a team policy alert is announced once, naming its reason', () => {
  const alert = {
    reason: 'signature',
    message: 'the team document was not applied: …',
    at: '2026-11-26T08:00:00.000Z',
    version: 3,
  };
  const team = (lastAlert: Alert | null) => teamReport(3, lastAlert);
  const quiet = team(null);
  const alerted = team(alert);
  assert.deepEqual(notificationsFor(quiet, quiet), []);
  const notes = notificationsFor(quiet, alerted);
  assert.deepEqual(
    notes.map((n) => [n.id, n.title]),
    [['team-policy:signature', 'Team policy alert: signature']],
  );
  assert.deepEqual(notificationsFor(alerted, alerted), [], 'the same alert is not announced again');
  const stale = team({ ...alert, reason: 'stale', at: '2026-11-26T09:00:00.000Z' });
  assert.equal(notificationsFor(alerted, stale)[0]?.title, 'Team policy is stale');
});

test('a new team policy version in force is announced once, with the way to review it; not at start', () => {
  const team = (version: number | null) => teamReport(version);
  const notes = notificationsFor(team(3), team(4));
  assert.deepEqual(
    notes.map((n) => [n.title, n.button?.action]),
    [['Team policy updated to version 4', { kind: 'open-dashboard', page: 'policy' }]],
  );
  assert.match(notes[0]!.body, /acme team's policy changed from version 3/);
  assert.deepEqual(notificationsFor(team(4), team(4)), [], 'a version in force is not announced again');
  assert.deepEqual(notificationsFor(null, team(4)), [], 'not at start');
  assert.deepEqual(notificationsFor(team(null), team(1)), [], 'not the first document of an enrollment made here');
});
