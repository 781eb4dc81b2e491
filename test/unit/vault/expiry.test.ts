import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeStanding, expiryStanding } from '../../../main/vault/expiry.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number): string => new Date(NOW + ms).toISOString();

test('standing against the expiry: valid, within 7 days, within 1 day, expired', () => {
  assert.deepEqual(expiryStanding({}, NOW), { state: 'no-expiry' });
  assert.equal(expiryStanding({ expires: at(8 * DAY) }, NOW).state, 'valid');
  assert.deepEqual(expiryStanding({ expires: at(7 * DAY) }, NOW), { state: 'expiring', expires: at(7 * DAY), days: 7 });
  assert.deepEqual(expiryStanding({ expires: at(DAY + 1) }, NOW), { state: 'expiring', expires: at(DAY + 1), days: 7 });
  assert.deepEqual(expiryStanding({ expires: at(DAY) }, NOW), { state: 'expiring', expires: at(DAY), days: 1 });
  assert.deepEqual(expiryStanding({ expires: at(1) }, NOW), { state: 'expiring', expires: at(1), days: 1 });
  assert.deepEqual(expiryStanding({ expires: at(0) }, NOW), { state: 'expired', expires: at(0) });
  assert.match(describeStanding(expiryStanding({ expires: at(-DAY) }, NOW)), /^EXPIRED on 2026-05-31/);
});
