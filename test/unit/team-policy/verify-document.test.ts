import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactSign } from 'jose';
import { verifyDocument } from '../../../main/team-policy/verify-document.ts';
import { makeTeamKey, signWith, teamDocument, unsigned } from '../../helpers/team-documents.ts';

const team = await makeTeamKey();
const other = await makeTeamKey();
const enrolled = { publicKey: team.publicKey, team: 'acme' };

async function reasonOf(jws: string): Promise<string> {
  const verified = await verifyDocument(jws, enrolled);
  assert.equal(verified.ok, false, 'the document should have been refused');
  return verified.ok ? '' : `${verified.reason}: ${verified.message}`;
}

test('a document signed with the enrolled key for the enrolled team verifies', async () => {
  const verified = await verifyDocument(await signWith(team, teamDocument('acme', 3)), enrolled);
  assert.equal(verified.ok, true);
  assert.equal(verified.ok && verified.document.version, 3);
  assert.match(verified.ok ? verified.digest : '', /^[0-9a-f]{64}$/);
});

test('T86 a document signed with another key is refused', async () => {
  const jws = await signWith(other, teamDocument('acme', 1), { kid: team.kid });
  assert.match(await reasonOf(jws), /^signature: /);
});

test('T86 a document changed by one byte after signing is refused', async () => {
  const jws = await signWith(team, teamDocument('acme', 1, { deniedTools: ['fs__delete'] }));
  const [header, payload, signature] = jws.split('.');
  const text = Buffer.from(payload!, 'base64url').toString().replace('fs__delete', 'fs__deletf');
  const tampered = `${header}.${Buffer.from(text).toString('base64url')}.${signature}`;
  assert.match(await reasonOf(tampered), /^signature: /);
});

test('T86 alg none is refused', async () => {
  assert.match(await reasonOf(unsigned(teamDocument('acme', 1))), /^header: .*only "EdDSA"/);
});

test('T86 HS256 keyed by the public key is refused', async () => {
  for (const secret of [new TextEncoder().encode(team.publicKey), Buffer.from(team.publicKey, 'base64url')]) {
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(teamDocument('acme', 1))))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    assert.match(await reasonOf(jws), /^header: .*"HS256"/);
  }
});

test('T86 a header naming its own key (jwk, jku, x5u) is refused, even with a valid signature', async () => {
  const headers = [
    { jwk: { kty: 'OKP', crv: 'Ed25519', x: other.publicKey } },
    { jku: 'https://evil.example/keys.json' },
    { x5u: 'https://evil.example/cert.pem' },
  ];
  for (const header of headers) {
    // Signed with the enrolled key: the header alone is reason enough.
    assert.match(await reasonOf(await signWith(team, teamDocument('acme', 1), header)), /^header: .*names its own key/);
    assert.match(await reasonOf(await signWith(other, teamDocument('acme', 1), header)), /^header: /);
  }
});

test('T86 an unknown kid is refused', async () => {
  assert.match(await reasonOf(await signWith(team, teamDocument('acme', 1), { kid: other.kid })), /^header: .*kid/);
  assert.match(await reasonOf(await signWith(team, teamDocument('acme', 1), { kid: 'k1' })), /^header: .*kid/);
});

test('T86 a header parameter that is not alg, kid or typ is refused', async () => {
  assert.match(await reasonOf(await signWith(team, teamDocument('acme', 1), { cty: 'json' })), /^header: /);
});

test('T88 a validly signed document for another team is refused', async () => {
  assert.match(await reasonOf(await signWith(team, teamDocument('globex', 1))), /^team: .*"globex".*"acme"/);
});

test('T89 malformed text, a payload that is not JSON, and a schema violation are refused with their reason', async () => {
  assert.match(await reasonOf('{"team":"acme"}'), /^malformed: /);
  assert.match(await reasonOf(await signWith(team, '{"team": "acme", version')), /^malformed: .*not JSON/);
  const wrong = teamDocument('acme', 1, { policy: { rules: [{ action: 'permit' }] } });
  assert.match(await reasonOf(await signWith(team, wrong)), /^schema: .*policy\.rules\[0\]\.action/);
  assert.match(await reasonOf(await signWith(team, { team: 'acme', version: 0 })), /^schema: .*version/);
});
