// T31/T32: canaries planted as a stdio server's env secret, a remote server's API-key header and a client token;
// servers echo them on stderr, in results and in errors. Every answer a client gets, every status report, every
// log line and every file in the data directory (SQLite -wal/-shm and rotated logs included) holds zero copies,
// raw, JSON-escaped or base64. Secrets live in the encrypted file vault here, so that path is covered end to end.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { fixtureServer, REPO, startHarness } from '../../helpers/gateway-harness.ts';
import { runCliInProcess } from '../gateway/support.ts';
import { filesHolding, spellingsOf } from './support.ts';

const STDIO_CANARY = 'canary-stdio-3f9d2a7b61c4';
const REMOTE_CANARY = 'canary-remote-8e1b0c5d92aa';
let remote: ChildProcess | undefined;
let remotePort = 0;

before(async () => {
  process.env[PASSPHRASE_ENV] = 'test-vault-passphrase';
  remote = spawn(process.execPath, [`${REPO}test/fixtures/http-server.ts`, 'streamable'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: remote.stdout! }), 'line')) as [string];
  remotePort = (JSON.parse(line) as { port: number }).port;
});
after(() => {
  remote?.kill('SIGKILL');
  delete process.env[PASSPHRASE_ENV];
});

function holds(text: string, values: readonly string[]): string[] {
  return values.flatMap((value) => spellingsOf(value).filter((s) => text.includes(s)));
}

test('T31/T32/T33 no copy of a secret in any answer, log, status or file; no client token upstream', async () => {
  const h = await startHarness({
    vault: 'file',
    servers: {
      leaky: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:STDIO_KEY}' } },
      far: { url: `http://127.0.0.1:${remotePort}/mcp`, headers: { 'x-switchboard-test': '${secret:REMOTE_KEY}' } },
    },
  });
  const canaries = [STDIO_CANARY, REMOTE_CANARY, h.token];
  let stopped = false;
  try {
    for (const [name, value] of [
      ['STDIO_KEY', STDIO_CANARY],
      ['REMOTE_KEY', REMOTE_CANARY],
    ] as const) {
      const set = await runCliInProcess(['secret', 'set', name, '--data-dir', h.dataDir], { ...process.env }, value);
      assert.equal(set.code, 0, set.err);
      assert.equal(holds(set.out + set.err, canaries).length, 0);
    }
    await h.waitForState('leaky', (s) => s.state === 'running');
    await h.waitForState('far', (s) => s.state === 'running');
    const client = await h.connect();
    const answers: string[] = [];

    // A result that carries the secret in text and in structuredContent: masked by default.
    const leaked = await client.callTool({ name: 'leaky__leak', arguments: { how: 'result' } });
    answers.push(JSON.stringify(leaked));
    assert.deepEqual(leaked.structuredContent, { token: '[redacted: secret STDIO_KEY]' });
    assert.deepEqual(leaked.content, [{ type: 'text', text: 'the token is [redacted: secret STDIO_KEY]' }]);

    // An error whose message carries it.
    const failed = await client.callTool({ name: 'leaky__leak', arguments: { how: 'error' } }).catch((e: unknown) => e);
    answers.push(failed instanceof McpError ? failed.message : JSON.stringify(failed));
    assert.match(answers.at(-1)!, /upstream refused token \[redacted: secret STDIO_KEY\]/);

    // A remote server that reflects the header it was sent.
    const header = await client.callTool({ name: 'far__header', arguments: {} });
    answers.push(JSON.stringify(header));
    assert.deepEqual(header.content, [{ type: 'text', text: '[redacted: secret REMOTE_KEY]' }]);

    // T33: the client's gateway token never reaches an upstream, whatever header it might hide in.
    const received = await client.callTool({ name: 'far__headers', arguments: {} });
    const digests = JSON.parse((received.content as { text: string }[])[0]!.text) as { name: string; sha256: string }[];
    const forbidden = [h.token, `Bearer ${h.token}`].map((v) => createHash('sha256').update(v).digest('hex'));
    assert.deepEqual(
      digests.filter((d) => forbidden.includes(d.sha256)),
      [],
    );
    assert.equal(
      digests.some((d) => d.name === 'authorization'),
      false,
      'no Authorization was configured, none is sent',
    );
    assert.ok(
      digests.some((d) => d.name === 'x-switchboard-test'),
      'the configured header is sent',
    );

    // The server's stderr log, as the status report and the CLI show its tail.
    const status = JSON.stringify(h.core.status());
    answers.push(status);
    const list = await runCliInProcess(['secret', 'list', '--json', '--data-dir', h.dataDir]);
    answers.push(list.out, list.err);
    const stderr = h.core.supervisor.get('leaky')!.stderrTail().join('\n');
    assert.match(stderr, /debug: using token \[redacted: secret STDIO_KEY\]/);

    await h.core.stop();
    stopped = true;
    for (const answer of answers) assert.deepEqual(holds(answer, canaries), [], answer);
    assert.deepEqual(holds(h.logLines.join(''), canaries), [], 'core log');
    assert.deepEqual(await filesHolding(h.dataDir, canaries), []);
  } finally {
    if (!stopped) await h.core.stop();
    await h.close();
  }
});
