// The audit benchmark's process runs with every V8 flag serve runs with, so its event-loop check measures the
// gateway's configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingServeFlags, SERVE_V8_FLAGS } from '../../../bin/serve-flags.js';
import { auditProcessArgs } from '../../../bench/audit-process.ts';

test("the audit benchmark's process gets all of serve's V8 flags, ahead of its script and record count", () => {
  const args = auditProcessArgs(5_000, '');
  assert.deepEqual(
    args.slice(0, -2),
    SERVE_V8_FLAGS.map(({ flag }) => flag),
  );
  assert.match(args.at(-2)!, /bench\/audit-main\.ts$/);
  assert.equal(args.at(-1), '5000');
});

test("as for serve, a setting given in NODE_OPTIONS wins over serve's flag for it", () => {
  const args = auditProcessArgs(5_000, '--max-semi-space-size=16');
  assert.deepEqual(args.slice(0, -2), [
    '--no-allocation-site-pretenuring',
    '--no-maglev',
    '--invocation-count-for-turbofan=400',
  ]);
});

test("serve's flags are added only for settings the user has not given", () => {
  assert.deepEqual(
    missingServeFlags([]),
    SERVE_V8_FLAGS.map(({ flag }) => flag),
  );
  assert.deepEqual(missingServeFlags(['--max-semi-space-size=8', '--maglev']), ['--no-allocation-site-pretenuring']);
  assert.deepEqual(missingServeFlags(['--inspect', '--max-old-space-size=512 --no-maglev']), [
    '--max-semi-space-size=4',
    '--no-allocation-site-pretenuring',
  ]);
  // TurboFan's earlier start goes with Maglev being off; the user's own count wins too.
  assert.deepEqual(missingServeFlags(['--invocation-count-for-turbofan=3000']), [
    '--max-semi-space-size=4',
    '--no-allocation-site-pretenuring',
    '--no-maglev',
  ]);
});
