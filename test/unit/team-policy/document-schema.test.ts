import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTeamDocument } from '../../../main/team-policy/document-schema.ts';
import { teamDocument } from '../../helpers/team-documents.ts';

test('a minimal document gets the local policy defaults, no catalog and onExpiry "deny"', () => {
  const parsed = parseTeamDocument(teamDocument('acme', 1));
  assert.equal(parsed.ok, true);
  if (!parsed.ok) return;
  assert.equal(parsed.document.policy.defaultAction, 'allow');
  assert.deepEqual(parsed.document.servers, {});
  assert.equal(parsed.document.onExpiry, 'deny');
});

test("the policy section is checked by config.json's policy schema, naming the field", () => {
  const parsed = parseTeamDocument(teamDocument('acme', 1, { policy: { destructive: 'maybe' } }));
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.error, /policy\.destructive/);
});

test('a catalog server gives a command or a URL, not both; unknown fields are refused', () => {
  const both = teamDocument('acme', 1, { servers: { fs: { command: 'npx', url: 'https://x.example/mcp' } } });
  assert.match(JSON.stringify(parseTeamDocument(both)), /either \\"command\\"/);
  const extra = teamDocument('acme', 1, { surprise: true });
  assert.equal(parseTeamDocument(extra).ok, false);
  const good = teamDocument('acme', 1, {
    servers: {
      fs: { command: 'npx', args: ['-y', '@acme/fs@1.2.3'], packages: { '@acme/fs': '1.2.3' }, secrets: ['FS_TOKEN'] },
    },
    audit: { retentionDays: 30, uploadUrl: 'https://audit.example/upload' },
    minAppVersion: '1.2.0',
  });
  assert.equal(parseTeamDocument(good).ok, true);
});

test('a version below 1, a missing expiry and an http upload endpoint to another machine are refused', () => {
  assert.equal(parseTeamDocument({ team: 'acme', version: 0, expiresAt: '2030-01-01' }).ok, false);
  assert.equal(parseTeamDocument({ team: 'acme', version: 1 }).ok, false);
  const remote = parseTeamDocument(teamDocument('acme', 1, { audit: { uploadUrl: 'http://audit.example/' } }));
  assert.match(remote.ok ? '' : remote.error, /audit\.uploadUrl http:\/\/ is allowed only to this machine/);
});

test("the upload endpoint takes what config.json's audit.upload.url takes: http to this machine too", () => {
  const local = teamDocument('acme', 1, { audit: { uploadUrl: 'http://127.0.0.1:7420/audit/ingest' } });
  assert.equal(parseTeamDocument(local).ok, true);
});
