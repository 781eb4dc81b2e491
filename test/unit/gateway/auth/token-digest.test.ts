import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ESLint } from 'eslint';
import { digestToken, digestsEqual, sameSecret } from '../../../../main/gateway/auth/token-digest.ts';
import { TokenStore } from '../../../../main/gateway/auth/token-store.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';

const REPO = new URL('../../../../', import.meta.url).pathname;

/** Replaces crypto.timingSafeEqual, for this test only, with a spy that still compares. */
function spyOnTimingSafeEqual(t: TestContext) {
  const spy = t.mock.method(crypto, 'timingSafeEqual');
  // ES module imports of a built-in see a replaced function only after this.
  syncBuiltinESMExports();
  t.after(() => {
    spy.mock.restore();
    syncBuiltinESMExports();
  });
  return spy;
}

test('T3 digestsEqual compares through crypto.timingSafeEqual', (t) => {
  const spy = spyOnTimingSafeEqual(t);
  const salt = crypto.randomBytes(16);
  const a = digestToken('secret-a', salt);
  assert.equal(digestsEqual(a, digestToken('secret-a', salt)), true);
  assert.equal(digestsEqual(a, digestToken('secret-b', salt)), false);
  assert.equal(spy.mock.callCount(), 2);
  for (const call of spy.mock.calls) {
    assert.equal((call.arguments[0] as Buffer).length, 32);
    assert.equal((call.arguments[1] as Buffer).length, 32);
  }
  // Lengths are public (every digest is 32 bytes); a mismatch is refused without comparing bytes.
  assert.equal(digestsEqual(a, a.subarray(0, 16)), false);
  assert.equal(spy.mock.callCount(), 2);
});

test('T3 TokenStore.verify checks a secret only through timingSafeEqual, right or wrong', async (t) => {
  const dir = await makeTempDir(t);
  const store = new TokenStore(join(dir, 'tokens.json'));
  const created = await store.create('ide');
  assert.ok(created.ok);
  const spy = spyOnTimingSafeEqual(t);
  const token = created.value.token;
  assert.equal(store.verify(token, 'client').ok, true);
  assert.equal(spy.mock.callCount(), 1, 'the first use compares HMAC digests');
  const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  assert.deepEqual(store.verify(wrong, 'client'), { ok: false, reason: 'unknown' });
  assert.equal(spy.mock.callCount(), 3, 'a wrong secret is compared with the verified one, then by its digest');
  assert.equal(store.verify(token, 'client').ok, true);
  assert.equal(spy.mock.callCount(), 4, 'a repeat of the verified secret is one comparison, without an HMAC');
});

test('T3 sameSecret compares in constant time, and refuses another length without comparing', (t) => {
  const spy = spyOnTimingSafeEqual(t);
  const verified = Buffer.from('s3cret-value', 'utf8');
  assert.equal(sameSecret('s3cret-value', verified), true);
  assert.equal(sameSecret('s3cret-valuf', verified), false);
  assert.equal(spy.mock.callCount(), 2);
  assert.equal(sameSecret('s3cret', verified), false);
  assert.equal(spy.mock.callCount(), 2);
});

async function restrictedSyntaxMessages(eslint: ESLint, code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const MEMBER_CALL = [
  "import crypto from 'node:crypto';",
  'export const same = (a: Buffer, b: Buffer): boolean => crypto.timingSafeEqual(a, b);',
  '',
].join('\n');

const NAMED_IMPORT = [
  "import { timingSafeEqual } from 'node:crypto';",
  'export const same = (a: Buffer, b: Buffer): boolean => timingSafeEqual(a, b);',
  '',
].join('\n');

test('T3 the lint rule refuses crypto.timingSafeEqual outside token-digest.ts', async () => {
  const eslint = new ESLint({ cwd: REPO });
  const elsewhere = await restrictedSyntaxMessages(eslint, MEMBER_CALL, 'main/gateway/http/compare.ts');
  assert.ok(
    elsewhere.some((m) => /token-digest\.ts/.test(m)),
    JSON.stringify(elsewhere),
  );
  assert.deepEqual(await restrictedSyntaxMessages(eslint, MEMBER_CALL, 'main/gateway/auth/token-digest.ts'), []);
});

test('T3 the lint rule refuses a named import of timingSafeEqual outside token-digest.ts', async () => {
  const eslint = new ESLint({ cwd: REPO });
  const elsewhere = await restrictedSyntaxMessages(eslint, NAMED_IMPORT, 'main/gateway/http/compare.ts');
  assert.ok(elsewhere.length > 0, 'a bare timingSafeEqual(a, b) call is not flagged');
});
