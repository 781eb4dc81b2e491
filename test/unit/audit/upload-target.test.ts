// Which endpoints an upload may go to (https, or http to this machine only), and which source names it: the
// team's policy over config.json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  UploadTargets,
  tokenSecretOf,
  uploadUrlProblem,
  type UploadTarget,
} from '../../../main/audit/upload-target.ts';

test('https anywhere and plain http to loopback are accepted', () => {
  for (const url of [
    'https://audit.example.com/ingest',
    'https://10.0.0.5:8443/x',
    'http://127.0.0.1:9000/ingest',
    'http://127.8.9.10/ingest',
    'http://[::1]:9000/ingest',
    'http://localhost:9000/ingest',
  ]) {
    assert.equal(uploadUrlProblem(url), null, url);
  }
});

test('plain http off the machine, other schemes, credentials in the URL and fragments are refused', () => {
  assert.match(uploadUrlProblem('http://audit.example.com/ingest')!, /only to this machine/);
  assert.match(uploadUrlProblem('http://10.0.0.5/ingest')!, /only to this machine/);
  assert.match(uploadUrlProblem('http://[::ffff:10.0.0.5]/ingest')!, /only to this machine/);
  assert.match(uploadUrlProblem('ftp://audit.example.com/')!, /https:\/\/ URL, not ftp:/);
  assert.match(uploadUrlProblem('https://me:pw@audit.example.com/')!, /user name or password/);
  assert.match(uploadUrlProblem('https://audit.example.com/#x')!, /fragment/);
  assert.match(uploadUrlProblem('audit.example.com')!, /absolute https/);
});

test('a token is exactly one secret reference', () => {
  assert.equal(tokenSecretOf('${secret:AUDIT_TOKEN}'), 'AUDIT_TOKEN');
  assert.equal(tokenSecretOf('Bearer ${secret:AUDIT_TOKEN}'), null);
  assert.equal(tokenSecretOf('plain-token'), null);
  assert.equal(tokenSecretOf(undefined), null);
});

test("the team's endpoint wins while it names one; config's comes back when it stops", () => {
  const applied: (UploadTarget | null)[] = [];
  const targets = new UploadTargets((target) => applied.push(target));
  const config = { url: 'https://mine.example/ingest', tokenSecret: 'MINE', source: 'config' as const };
  const team = { url: 'https://team.example/ingest', tokenSecret: null, source: 'team' as const };
  targets.fromConfig(config);
  targets.fromTeam(team);
  targets.fromConfig({ ...config, url: 'https://mine.example/v2' });
  targets.fromTeam(null);
  assert.deepEqual(
    applied.map((t) => t && [t.url, t.tokenSecret, t.source]),
    [
      ['https://mine.example/ingest', 'MINE', 'config'],
      ['https://team.example/ingest', null, 'team'],
      ['https://mine.example/v2', 'MINE', 'config'],
    ],
    "a config change under the team's endpoint is not applied until the team's goes",
  );
  targets.fromConfig(null);
  assert.equal(applied.at(-1), null);
  assert.equal(targets.current, null);
});
