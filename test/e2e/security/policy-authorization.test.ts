// Security catalogue, section C, through the gateway with real SDK clients and the policy fixture
// (test/fixtures/policy-server.ts): toolsets and deny rules (T18), path arguments (T19), shadowing (T20),
// destructive tools and confirmation (T21), rate limits and concurrency caps (T22), untrusted annotations (T60).
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import {
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type ElicitRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { updateConfig } from '../../../main/config/update-config.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { MODERN } from '../modern/modern-http.ts';
import { audit, sleep } from './mcp-session.ts';
import { clientNamed, names, policyServer, received, refusal, startPolicyCore, textOf } from './policy-support.ts';

test('T18 a deny rule hides fs__delete from client a and refuses its call naming the rule; b still has it', async (t) => {
  const h = await startPolicyCore(t, {
    policy: { rules: [{ id: 'a-no-delete', clients: ['a'], tools: ['fs__delete'], action: 'deny' }] },
  });
  const a = await clientNamed(t, h, 'a');
  const b = await clientNamed(t, h, 'b');
  assert.ok(!(await names(a)).includes('fs__delete'));
  assert.ok((await names(a)).includes('fs__read_file'));
  const error = await refusal(a.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } }));
  assert.equal(error.code, -32001);
  assert.match(error.message, /a-no-delete/);
  assert.deepEqual(error.data, { rule: 'a-no-delete' });

  assert.ok((await names(b)).includes('fs__delete'));
  assert.equal(
    textOf(await b.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } })),
    'delete {"path":"/tmp/x"}',
  );
  assert.deepEqual(await received(h), { delete: 1 }, "a's call never reached the server");

  const records = audit(h, { method: 'tools/call', target: 'delete' });
  assert.deepEqual(records.map((r) => [r.client, r.outcome, r.decision, r.rule]).sort(), [
    ['a', 'denied', 'deny', 'a-no-delete'],
    ['b', 'ok', 'allow', 'default'],
  ]);
});

test('T18 toolsets: a client sees only its toolset, and a tool outside it is unknown; edits apply live', async (t) => {
  const h = await startPolicyCore(t, {
    servers: { fs: policyServer(), docs: policyServer('tools', 'docs') },
    policy: { toolsets: { cursor: { servers: ['docs'], tools: ['fs__read_file'] } } },
  });
  const cursor = await clientNamed(t, h, 'cursor');
  const listed = await names(cursor);
  assert.ok(listed.includes('fs__read_file') && listed.includes('docs__delete'));
  assert.ok(!listed.some((n) => n.startsWith('fs__') && n !== 'fs__read_file'), listed.join(', '));
  const error = await refusal(cursor.callTool({ name: 'fs__echo', arguments: { text: 'hi' } }));
  assert.equal(error.code, -32602);
  assert.match(error.message, /Unknown tool "fs__echo"/);
  const [record] = audit(h, { method: 'tools/call', target: 'echo' });
  assert.equal(record?.outcome, 'unknown-tool');
  assert.equal(record?.rule, 'policy.toolsets.cursor');

  // The toolset grows in config.json: the client is told its list changed, and the tool is there.
  const changed = new Promise<void>((resolve) =>
    cursor.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
  );
  const written = await updateConfig(h.dataDir, (draft) => ({
    ...draft,
    policy: { toolsets: { cursor: { servers: ['docs'], tools: ['fs__read_file', 'fs__echo'] } } },
  }));
  assert.ok(written.ok);
  await changed;
  assert.ok((await names(cursor)).includes('fs__echo'));
  assert.equal(textOf(await cursor.callTool({ name: 'fs__echo', arguments: { text: 'hi' } })), 'tools: hi');
});

test('T19 path arguments are resolved before they are compared with the allowed root', async (t) => {
  const base = await makeTempDir(t);
  const root = join(base, 'x');
  await mkdir(root);
  await mkdir(join(base, 'xevil'));
  await writeFile(join(root, 'ok.txt'), 'ok');
  await symlink('/etc', join(root, 'l'));
  const h = await startPolicyCore(t, {
    policy: {
      rules: [
        { id: 'fs-root', tools: ['fs__read_file'], action: 'allow', arguments: { path: { pathPrefix: [root] } } },
      ],
    },
  });
  const client = await clientNamed(t, h, 'a');
  for (const path of [
    `${root}/../etc/passwd`,
    `${base}/xevil/f`,
    `${root}/l/passwd`,
    '~/.ssh/id_rsa',
    `${root}/a\0b`,
  ]) {
    const result = (await client.callTool({ name: 'fs__read_file', arguments: { path } })) as CallToolResult;
    assert.equal(result.isError, true, `${JSON.stringify(path)} must be refused`);
    assert.match(textOf(result), /fs-root/);
    assert.match(textOf(result), /- arguments\.path: /, `${JSON.stringify(path)}: the argument's JSON path is named`);
    const meta = result._meta?.['dev.switchboard/policy'] as { rule: string; problems: { path: string }[] };
    assert.deepEqual(
      meta.problems.map((p) => p.path),
      ['arguments.path'],
    );
  }
  const ok = await client.callTool({ name: 'fs__read_file', arguments: { path: join(root, 'ok.txt') } });
  assert.equal(textOf(ok), `read_file {"path":"${join(root, 'ok.txt')}"}`);
  assert.deepEqual(await received(h), { read_file: 1 }, 'only the path inside the root was forwarded');
});

test('T20 servers exposing the same tool name each keep their own; a server cannot pose as another', async (t) => {
  const h = await startPolicyCore(t, {
    servers: { a: policyServer('tools', 'A'), b: policyServer('tools', 'B'), evil: policyServer('shadow', 'EVIL') },
  });
  const client = await clientNamed(t, h, 'someone');
  const listed = await names(client);
  assert.ok(listed.includes('a__echo') && listed.includes('b__echo') && listed.includes('evil__a__echo'));
  assert.equal(listed.filter((n) => n === 'a__echo').length, 1);
  assert.equal(textOf(await client.callTool({ name: 'a__echo', arguments: { text: 'x' } })), 'A: x');
  assert.equal(textOf(await client.callTool({ name: 'b__echo', arguments: { text: 'x' } })), 'B: x');
  assert.equal(textOf(await client.callTool({ name: 'evil__a__echo', arguments: { text: 'x' } })), 'EVIL: x');
  // The evil server calls itself "a" in serverInfo; names come from config all the same.
  const [record] = audit(h, { method: 'tools/call', server: 'evil' });
  assert.equal(record?.target, 'a__echo');
});

test('T21 destructive tools: deny refuses, confirm asks the caller with the full arguments first', async (t) => {
  const h = await startPolicyCore(t, { policy: { destructive: 'confirm', trustedServers: ['fs'] } });
  const a = await clientNamed(t, h, 'a');
  const asked: ElicitRequest[] = [];
  let answer: 'accept' | 'decline' = 'decline';
  a.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request);
    // The gateway asks before the server has seen anything of the call.
    assert.equal((await received(h)).delete, undefined);
    return { action: answer };
  });
  const args = { path: '/tmp/x/precious.txt' };
  const declined = (await a.callTool({ name: 'fs__delete', arguments: args })) as CallToolResult;
  assert.equal(declined.isError, true);
  assert.match(textOf(declined), /declined/);
  assert.equal(asked.length, 1);
  const message = (asked[0]!.params as { message: string }).message;
  assert.match(message, /Client "a" wants to call fs__delete on server "fs"/);
  assert.ok(message.includes(JSON.stringify(args, null, 2)), message);
  assert.deepEqual(await received(h), {}, 'a declined call never reaches the server');

  answer = 'accept';
  const accepted = await a.callTool({ name: 'fs__delete', arguments: args });
  assert.equal(textOf(accepted), `delete ${JSON.stringify(args)}`);
  assert.deepEqual(await received(h), { delete: 1 });

  // Not destructive: not asked. A client that cannot be asked is refused, saying why.
  await a.callTool({ name: 'fs__echo', arguments: { text: 'hi' } });
  assert.equal(asked.length, 2);
  const mute = await clientNamed(t, h, 'mute', { elicitation: false });
  const error = await refusal(mute.callTool({ name: 'fs__delete', arguments: args }));
  assert.match(error.message, /did not declare the elicitation capability/);

  const records = audit(h, { method: 'tools/call', target: 'delete' }).reverse();
  assert.deepEqual(
    records.map((r) => [r.client, r.outcome, r.decision, r.rule, r.detail]),
    [
      ['a', 'denied', 'deny', 'policy.destructive', { confirmation: 'declined' }],
      ['a', 'ok', 'allow', 'policy.destructive', { confirmation: 'accepted' }],
      ['mute', 'denied', 'deny', 'policy.destructive', { confirmation: 'unavailable' }],
    ],
  );

  const written = await updateConfig(h.dataDir, (draft) => ({
    ...draft,
    policy: { destructive: 'deny', trustedServers: ['fs'] },
  }));
  assert.ok(written.ok);
  const changed = new Promise<void>((resolve) =>
    a.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
  );
  await changed;
  assert.ok(!(await names(a)).includes('fs__delete'), 'deny mode hides destructive tools');
  const denied = await refusal(a.callTool({ name: 'fs__delete', arguments: args }));
  assert.match(denied.message, /policy\.destructive is "deny"/);
  assert.equal(asked.length, 2, 'deny does not ask');
});

test('T22 at 5 calls per window for a on one tool, the 6th is refused with a retry hint; b is unaffected', async (t) => {
  // Counted, not timed: the window is an hour, so no token comes back while the test runs.
  const h = await startPolicyCore(t, {
    policy: {
      rateLimits: [
        { id: 'a-echo', clients: ['a'], tools: ['fs__echo'], each: ['client', 'tool'], calls: 5, perSeconds: 3600 },
      ],
    },
  });
  const a = await clientNamed(t, h, 'a');
  const b = await clientNamed(t, h, 'b');
  for (let i = 0; i < 5; i++) await a.callTool({ name: 'fs__echo', arguments: { text: `${i}` } });
  const error = await refusal(a.callTool({ name: 'fs__echo', arguments: { text: 'six' } }));
  assert.equal(error.code, -32001);
  assert.match(
    error.message,
    /rate limit a-echo reached \(5 calls per 3600 s for each client and tool\); retry in \d+ s/,
  );
  const data = error.data as { rule: string; retryAfterMs: number };
  assert.equal(data.rule, 'a-echo');
  assert.ok(data.retryAfterMs > 600_000 && data.retryAfterMs <= 720_000, `${data.retryAfterMs}`);
  assert.equal(textOf(await b.callTool({ name: 'fs__echo', arguments: { text: 'b' } })), 'tools: b');
  assert.equal(
    textOf(await a.callTool({ name: 'fs__read_file', arguments: { path: '/r' } })),
    'read_file {"path":"/r"}',
  );
  assert.deepEqual(await received(h), { echo: 6, read_file: 1 });
  const throttled = audit(h, { method: 'tools/call', outcome: 'throttled' });
  assert.deepEqual(
    throttled.map((r) => [r.client, r.rule]),
    [['a', 'a-echo']],
  );
});

test('T22 with a concurrency cap of 2 the third concurrent call is refused, and admitted once one ends', async (t) => {
  const base = await makeTempDir(t);
  const h = await startPolicyCore(t, { policy: { concurrency: { fs: 2 } } });
  const a = await clientNamed(t, h, 'a');
  const gate = join(base, 'open');
  const first = a.callTool({ name: 'fs__block', arguments: { file: gate } });
  const second = a.callTool({ name: 'fs__block', arguments: { file: gate } });
  // Both are in flight once the server has started them: it notes each start in <gate>.started.
  while ((await readFile(`${gate}.started`, 'utf8').catch(() => '')).length < 2) await sleep(10);
  const error = await refusal(a.callTool({ name: 'fs__echo', arguments: { text: 'third' } }));
  assert.equal(error.code, -32001);
  assert.match(
    error.message,
    /already has 2 calls in flight \(policy\.concurrency\.fs\); retry when one of them has finished/,
  );
  await writeFile(gate, '');
  assert.equal(textOf(await first), 'released');
  assert.equal(textOf(await second), 'released');
  assert.equal(textOf(await a.callTool({ name: 'fs__echo', arguments: { text: 'now' } })), 'tools: now');
});

test('T60 an untrusted server claiming read-only is hidden in read-only mode, and the audit says why', async (t) => {
  const h = await startPolicyCore(t, {
    servers: { fs: policyServer(), trusted: policyServer('tools', 'trusted') },
    policy: { toolsets: { a: { readOnly: true } }, trustedServers: ['trusted'] },
  });
  const a = await clientNamed(t, h, 'a');
  const listed = await names(a);
  assert.ok(!listed.some((n) => n.startsWith('fs__')), `untrusted fs is hidden entirely: ${listed.join(', ')}`);
  assert.ok(listed.includes('trusted__read_file'));
  assert.ok(listed.includes('trusted__lying_write'), 'a trusted server is believed, lies included');
  assert.ok(!listed.includes('trusted__write') && !listed.includes('trusted__delete'));
  const error = await refusal(a.callTool({ name: 'fs__lying_write', arguments: { path: '/etc/x' } }));
  assert.match(error.message, /only read-only tools may be called \(policy\.toolsets\.a\.readOnly\)/);
  assert.match(error.message, /annotation ignored: untrusted server/);
  const [record] = audit(h, { method: 'tools/call', target: 'lying_write' });
  assert.deepEqual(record?.detail, { annotations: 'annotation ignored: untrusted server' });
  assert.equal(record?.rule, 'policy.toolsets.a.readOnly');
  assert.deepEqual(await received(h), {});
});

test('T21 (modern) a 2026-07-28 client is asked through input_required, before the server sees the call', async (t) => {
  const h = await startPolicyCore(t, { policy: { destructive: 'confirm', trustedServers: ['fs'] } });
  const client = new ModernClient(
    { name: 'modern-confirm', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } },
  );
  const questions: string[] = [];
  let answer: 'accept' | 'decline' = 'decline';
  client.setRequestHandler('elicitation/create', async (request) => {
    questions.push((request.params as { message: string }).message);
    return { action: answer };
  });
  await client.connect(
    new ModernTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${await h.mintToken('modern')}` } },
    }),
  );
  t.after(() => client.close());
  const args = { path: '/tmp/x/precious.txt' };
  const declined = await client.callTool({ name: 'fs__delete', arguments: args });
  assert.equal(declined.isError, true);
  assert.match(textOf(declined), /declined/);
  assert.equal(questions.length, 1);
  assert.match(questions[0]!, /Client "modern" wants to call fs__delete/);
  assert.deepEqual(await received(h), {});
  answer = 'accept';
  assert.equal(
    textOf(await client.callTool({ name: 'fs__delete', arguments: args })),
    `delete ${JSON.stringify(args)}`,
  );
  assert.deepEqual(await received(h), { delete: 1 });
  const records = audit(h, { method: 'tools/call', target: 'delete' }).reverse();
  assert.deepEqual(
    records.map((r) => [r.outcome, r.rule, r.protocolVersion]),
    [
      ['denied', 'policy.destructive', MODERN],
      ['ok', 'policy.destructive', MODERN],
    ],
  );
});
