// Browser sessions traded for a token, as the desktop's dashboard and a team server keep them: a cookie holds a
// random secret whose digest alone is kept, mapped to what the session was opened for; bounded, and endable.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { CookieSessions } from '../../../main/dashboard/dashboard-access.ts';

function requestWith(setCookie: string, name = 'sb_team'): IncomingMessage {
  const secret = /^[^=]+=([^;]+)/.exec(setCookie)![1]!;
  return { headers: { cookie: `other=1; ${name}=${secret}` } } as IncomingMessage;
}

test('a session cookie leads back to what it was opened for, and only its own', () => {
  const sessions = new CookieSessions<{ member: string }>('sb_team', { secure: true });
  const alice = sessions.open({ member: 'alice' });
  const bob = sessions.open({ member: 'bob' });
  assert.match(alice, /^sb_team=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
  assert.deepEqual(sessions.lookup(requestWith(alice)), { member: 'alice' });
  assert.deepEqual(sessions.lookup(requestWith(bob)), { member: 'bob' });
  assert.equal(sessions.lookup(requestWith(alice, 'sb_dashboard')), undefined);
  assert.equal(sessions.lookup({ headers: { cookie: 'sb_team=forged' } } as IncomingMessage), undefined);
  assert.equal(sessions.lookup({ headers: {} } as IncomingMessage), undefined);
});

test('ending sessions by what they hold (a revoked member), and forgetting the oldest past the bound', () => {
  const sessions = new CookieSessions<string>('sb_team', { max: 2 });
  const first = sessions.open('alice');
  const second = sessions.open('bob');
  sessions.end((member) => member === 'bob');
  assert.equal(sessions.lookup(requestWith(second)), undefined);
  assert.equal(sessions.lookup(requestWith(first)), 'alice');
  sessions.open('carol');
  sessions.open('dave');
  assert.equal(sessions.lookup(requestWith(first)), undefined);
  assert.doesNotMatch(first, /Secure/);
});
