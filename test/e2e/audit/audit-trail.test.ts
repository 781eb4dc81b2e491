// What the trail holds besides tool calls, and the `switchboard audit` commands over it: resources/read,
// prompts/get, completion/complete, and a server's own sampling and elicitation requests, each a record with its
// type; who connected with which token; server lifecycle; config changes. Then queries, pages, show, verify and
// export from the CLI, with serve running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { binOf, fixtureServer, NODE, startHarness } from '../../helpers/gateway-harness.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';

const EVERYTHING = {
  command: NODE,
  args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'],
};

test('every kind of request, connection, lifecycle and config change is in the trail; the CLI reads it', async () => {
  const h = await startHarness({ servers: { everything: EVERYTHING, fx: fixtureServer('echo') } });
  try {
    await h.waitForState('everything', (s) => s.state === 'running', 60_000);
    await h.waitForState('fx', (s) => s.state === 'running');
    const client = await h.connect({ token: await h.mintToken('auditor') });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: 'assistant',
      content: { type: 'text', text: 'sampled' },
      model: 'm',
    }));
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' }));
    const documents = await client.listResources();
    const doc = documents.resources.find((r) => r.uri.startsWith('demo://resource/static/document/'))!;
    await client.readResource({ uri: doc.uri });
    await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon', state: 'RA' } });
    await client.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'S' },
    });
    await client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    await client.callTool({ name: 'everything__trigger-elicitation-request', arguments: {} });
    await h.core.supervisor.restart('fx');
    await h.waitForState('fx', (s) => s.state === 'running');
    const added = await runCliInProcess([
      'server',
      'add',
      'more',
      '--data-dir',
      h.dataDir,
      '--disabled',
      '--',
      NODE,
      '-e',
      '1',
    ]);
    assert.equal(added.code, 0, added.err);
    await waitUntil(() => h.core.audit.query({ kind: 'config' }).events.length > 0, 'the config change record');

    const all = h.core.audit.query({ limit: 1000 }).events;
    const of = (method: string) => all.filter((e) => e.method === method);
    const read = of('resources/read')[0]!;
    assert.equal(read.kind, 'request');
    assert.equal(read.target, doc.uri);
    assert.equal(read.client, 'auditor');
    assert.equal(read.outcome, 'ok');
    assert.ok(read.responseBytes! > 0);
    assert.match(of('prompts/get')[0]!.arguments!, /Lyon/);
    assert.equal(of('prompts/get')[0]!.target, 'args-prompt');
    assert.match(of('completion/complete')[0]!.arguments!, /department/);
    const sampling = of('sampling/createMessage')[0]!;
    assert.equal(sampling.kind, 'server-request');
    assert.equal(sampling.server, 'everything');
    assert.equal(sampling.client, 'auditor');
    const elicitation = of('elicitation/create')[0]!;
    assert.deepEqual(elicitation.detail, { action: 'decline' });
    const connected = all.find((e) => e.method === 'session-opened' && e.client === 'auditor')!;
    assert.equal(connected.kind, 'auth');
    assert.match(String(connected.detail?.['tokenId']), /^[0-9a-f]{16}$/);
    const fxLife = all.filter((e) => e.kind === 'lifecycle' && e.server === 'fx').map((e) => e.method);
    assert.ok(fxLife.includes('stopped') && fxLife.filter((m) => m === 'started').length >= 2, fxLife.join(','));
    const config = all.find((e) => e.kind === 'config')!;
    assert.deepEqual(config.detail?.['added'], ['more']);

    // The CLI, against the same data directory while serve runs.
    const cli = (argv: string[]) => runCliInProcess([...argv, '--data-dir', h.dataDir]);
    const page = JSON.parse((await cli(['audit', '--server', 'everything', '--limit', '2', '--json'])).out);
    assert.equal(page.events.length, 2);
    assert.ok(page.next !== null);
    const next = JSON.parse(
      (await cli(['audit', '--server', 'everything', '--limit', '2', '--before', String(page.next), '--json'])).out,
    );
    assert.ok(next.events.every((e: { id: number }) => e.id < page.next));
    const human = await cli(['audit', '--method', 'resources/read']);
    assert.match(
      human.out,
      /^#\d+ \S+ request resources\/read everything demo:\/\/resource\/static\/document\/\S+ ok by auditor/m,
    );
    const shown = await cli(['audit', 'show', String(read.id)]);
    assert.match(shown.out, /^method\s+resources\/read$/m);
    assert.match(shown.out, /^hash\s+[0-9a-f]{64}$/m);
    const verified = await cli(['audit', 'verify']);
    assert.equal(verified.code, 0, verified.err);
    const csv = await cli(['audit', 'export', '--format', 'csv', '--kind', 'lifecycle']);
    const rows = csv.out.trim().split('\r\n');
    assert.equal(
      rows[0],
      'id,ts,kind,method,outcome,client,server,target,arguments,decision,rule,durationMs,requestBytes,responseBytes,error,errorDetail,protocolVersion,sessionId,detail,prevHash,hash,member',
    );
    assert.equal(rows.length - 1, all.filter((e) => e.kind === 'lifecycle').length);
    const bad = await cli(['audit', '--outcome', 'weird']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--outcome takes one of ok, tool-error/);
    // A negative id is read as the value (it begins with a dash), then refused as no record id.
    const negative = await cli(['audit', '--before', '-5']);
    assert.equal(negative.code, 2);
    assert.match(negative.err, /--before takes a record id \(a whole number from 1\), got "-5"/);
  } finally {
    await h.close();
  }
});
