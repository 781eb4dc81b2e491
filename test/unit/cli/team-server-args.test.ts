// The team server's command-line arguments: where it listens, and where `policy publish` posts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../main/cli/command.ts';
import { publishUrl } from '../../../main/cli/commands/policy-publish.ts';
import { parseListen } from '../../../main/cli/commands/team-server.ts';

test('--listen takes HOST:PORT, an IPv6 host in brackets, and names what is wrong otherwise', () => {
  assert.deepEqual(parseListen('127.0.0.1:7420'), { host: '127.0.0.1', port: 7420 });
  assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseListen('[::1]:7420'), { host: '::1', port: 7420 });
  for (const bad of ['7420', 'host:', 'host:70000', '::1:7420']) {
    assert.throws(
      () => parseListen(bad),
      (e: unknown) => e instanceof UsageError && /--listen takes HOST:PORT/.test(e.message),
      bad,
    );
  }
});

test('policy publish posts to URL/policy, and refuses what is not an http(s) URL', () => {
  assert.equal(publishUrl('https://team.example.com').href, 'https://team.example.com/policy');
  assert.equal(publishUrl('http://127.0.0.1:7420/team/').href, 'http://127.0.0.1:7420/team/policy');
  assert.equal(publishUrl('http://127.0.0.1:7420/policy').href, 'http://127.0.0.1:7420/policy');
  assert.throws(() => publishUrl('ftp://x/'), /must be an http\(s\) URL/);
  assert.throws(() => publishUrl('team.example.com'), /the team server's URL/);
});
