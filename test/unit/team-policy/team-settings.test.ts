import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTeamDocument } from '../../../main/team-policy/document-schema.ts';
import { compareVersions, effectiveRetention, teamSettings } from '../../../main/team-policy/team-settings.ts';
import { teamDocument } from '../../helpers/team-documents.ts';

function settingsOf(more: Record<string, unknown>, app = '1.0.0') {
  const parsed = parseTeamDocument(teamDocument('acme', 1, more));
  assert.ok(parsed.ok);
  return teamSettings(parsed.document, app);
}

test('audit retention takes the stricter of the team and config.json, field by field', () => {
  const team = settingsOf({ audit: { retentionDays: 30 } });
  assert.deepEqual(effectiveRetention({ retentionDays: 90, maxRows: 5_000 }, team), { days: 30, maxRows: 5_000 });
  assert.deepEqual(effectiveRetention({ retentionDays: 7, maxRows: 5_000 }, team), { days: 7, maxRows: 5_000 });
  assert.deepEqual(effectiveRetention({ retentionDays: 7, maxRows: 5_000 }, null), { days: 7, maxRows: 5_000 });
});

test('an app older than minAppVersion is flagged; an equal or newer one is not', () => {
  assert.equal(settingsOf({ minAppVersion: '1.2.0' }, '1.1.9')?.appOutdated, true);
  assert.equal(settingsOf({ minAppVersion: '1.2.0' }, '1.2.0')?.appOutdated, false);
  assert.equal(settingsOf({ minAppVersion: '1.2.0' }, '1.10.0')?.appOutdated, false);
  assert.ok(compareVersions('0.9.0-beta.1', '0.9.0') === 0);
});

test('the upload endpoint and catalog are exposed as the document says', () => {
  const s = settingsOf({
    audit: { uploadUrl: 'https://audit.example/in' },
    servers: { fs: { url: 'https://fs.example/mcp' } },
  });
  assert.equal(s?.auditUploadUrl, 'https://audit.example/in');
  assert.deepEqual(Object.keys(s?.catalog ?? {}), ['fs']);
});
