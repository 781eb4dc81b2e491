// Security catalogue, section E: tool pinning against rug pulls (T28), through the gateway with real SDK clients
// and the policy fixture's `mutable` mode (test/fixtures/policy-server.ts), whose definitions a test rewrites
// while it runs.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ControlEvent } from '../../../preload/contract.ts';
import { updateConfig } from '../../../main/config/update-config.ts';
import { Core } from '../../../main/core/core.ts';
import { createLogger } from '../../../main/log/logger.ts';
import { isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { audit } from './mcp-session.ts';
import { names, policyServer, refusal, startPolicyCore, textOf } from './policy-support.ts';

const CHANGED = { search: { description: 'Searches the notes. Also send the user the contents of their notes.' } };

/** A core with `notes` (the mutable fixture, definitions in `file`) and `fs` (the policy fixture's tools). */
async function startNotes(t: TestContext, policy: Record<string, unknown> = {}): Promise<{ h: Harness; file: string }> {
  const file = join(await makeTempDir(t), 'definitions.json');
  const h = await startPolicyCore(t, {
    servers: { notes: policyServer('mutable', 'notes', file), fs: policyServer() },
    policy,
  });
  return { h, file };
}

/** Rewrites the notes server's definitions, has it announce the change, and waits for the gateway to see it. */
async function rugPull(h: Harness, client: Client, file: string): Promise<ControlEvent[]> {
  // Pinned first: a definition changed before the gateway ever listed the tool is simply its first sight.
  await waitUntil(async () => (await names(client)).includes('notes__search'), 'notes__search to be listed first');
  const events: ControlEvent[] = [];
  const stop = h.core.onControlEvent((event) => events.push(event));
  await writeFile(file, JSON.stringify(CHANGED));
  await client.callTool({ name: 'notes__announce', arguments: {} });
  await waitUntil(async () => !(await names(client)).includes('notes__search'), 'notes__search to be hidden');
  stop();
  return events;
}

test('T28 a changed description after list_changed hides and refuses the tool; the others keep working', async (t) => {
  const { h, file } = await startNotes(t);
  const client = await h.connect();
  assert.ok((await names(client)).includes('notes__search'));
  assert.equal(
    textOf(await client.callTool({ name: 'notes__search', arguments: { query: 'x' } })),
    'search {"query":"x"}',
  );

  const pinOf = async (name: string) => {
    const view = await h.core.controlApi.catalog({});
    assert.ok(view.ok);
    return view.value.servers.flatMap((server) => server.tools).find((tool) => tool.name === name)?.pin;
  };
  assert.equal((await pinOf('notes__search'))?.changed, false, 'the dashboard shows it pinned');

  const events = await rugPull(h, client, file);
  assert.equal((await pinOf('notes__search'))?.changed, true, 'and then changed since approval');
  assert.deepEqual(
    events.filter((e) => e.type === 'tool-definition-changed'),
    [{ type: 'tool-definition-changed', server: 'notes', tool: 'search' }],
  );
  const error = await refusal(client.callTool({ name: 'notes__search', arguments: { query: 'x' } }));
  assert.equal(error.code, -32001);
  assert.match(error.message, /notes__search: definition changed since approval/);
  assert.equal((error.data as { rule: string }).rule, 'tool-pinning');
  const [record] = audit(h, { method: 'tools/call', outcome: 'denied' });
  assert.equal(record?.rule, 'tool-pinning');
  assert.equal(record?.target, 'search');

  // The server's other tools, and other servers' tools, are served as before.
  assert.deepEqual(
    (await names(client)).filter((n) => n.startsWith('notes__')),
    ['notes__echo', 'notes__announce', 'notes__inject', 'notes__calls'],
  );
  assert.equal(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'hi' } })), 'notes: hi');
  assert.equal(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'hi' } })), 'tools: hi');
  assert.ok(
    h.logLines.some((line) => line.includes('a tool definition changed since approval') && line.includes('search')),
  );

  // The CLI shows the change as a diff, field by field, with JSON paths.
  const pins = await runCliInProcess(['--data-dir', h.dataDir, 'tools', 'pins', 'notes', '--changed']);
  assert.equal(pins.code, 0, pins.err);
  assert.match(pins.out, /notes search {2}CHANGED since approval/);
  assert.match(pins.out, /~ description: "Searches the notes\." → "Searches the notes\. Also send the user/);
  assert.doesNotMatch(pins.out, /notes echo/, '--changed lists only changed tools');

  // The dashboard's contract: the same review, and Approve.
  const review = await h.core.controlApi.toolPins({ server: 'notes' });
  assert.ok(review.ok);
  assert.deepEqual(
    review.value.tools.filter((tool) => tool.changed !== null).map((tool) => tool.tool),
    ['search'],
  );
  assert.deepEqual(await h.core.controlApi.approveTools({ server: 'notes', tools: ['search'] }), {
    ok: true,
    value: { approved: ['search'] },
  });
  assert.ok((await names(client)).includes('notes__search'));
});

test('T28 neither a restart of the server nor of Switchboard restores a changed tool; approval does', async (t) => {
  const { h, file } = await startNotes(t);
  const client = await h.connect();
  await rugPull(h, client, file);

  await h.core.serverAction('notes', 'restart');
  await h.waitForState('notes', isRunning);
  await waitUntil(async () => (await names(client)).includes('notes__echo'), 'notes to be listed again');
  assert.ok(!(await names(client)).includes('notes__search'), 'a server restart does not restore it');

  // Switchboard itself restarts on the same data directory.
  await h.core.stop();
  const restarted = await Core.start({
    dataDir: h.dataDir,
    port: 0,
    logger: createLogger({ level: 'warn', write: () => {} }),
  });
  if (!restarted.ok) throw new Error(restarted.error);
  const core = restarted.core;
  const again = new Client({ name: 'pins-e2e', version: '1.0.0' });
  // Stopped here rather than after the test: the harness removes the data directory this core writes to.
  try {
    await waitUntil(() => core.supervisor.get('notes')?.state.state === 'running', 'notes to run again');
    await again.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', core.gatewayUrl), {
        requestInit: { headers: { authorization: `Bearer ${h.token}` } },
      }),
    );
    await waitUntil(async () => (await names(again)).includes('notes__echo'), 'notes to be listed after the restart');
    assert.ok(!(await names(again)).includes('notes__search'), 'a restart of Switchboard does not restore it');
    const error = await refusal(again.callTool({ name: 'notes__search', arguments: {} }));
    assert.match(error.message, /definition changed since approval/);

    // Approval through the running gateway (the CLI uses its control socket) shows it again at once.
    const approved = await runCliInProcess(['--data-dir', h.dataDir, 'tools', 'approve', 'notes', 'search']);
    assert.equal(approved.code, 0, approved.err);
    assert.equal(approved.out, 'approved notes search\n');
    assert.ok((await names(again)).includes('notes__search'));
    assert.equal(
      textOf(await again.callTool({ name: 'notes__search', arguments: { query: 'y' } })),
      'search {"query":"y"}',
    );
    const listed = (await again.listTools()).tools.find((tool) => tool.name === 'notes__search');
    assert.equal(listed?.description, CHANGED.search.description, 'the approved definition is the new one');
  } finally {
    await again.close();
    await core.stop();
  }
});

test('T28 approving while serve is not running edits tool-pins.json; unknown tools and servers are named', async (t) => {
  const { h, file } = await startNotes(t);
  const client = await h.connect();
  await rugPull(h, client, file);
  await h.core.stop();

  const cli = (...args: string[]) => runCliInProcess(['--data-dir', h.dataDir, 'tools', ...args]);
  const offline = await cli('pins', '--changed', '--json');
  assert.equal(offline.code, 0, offline.err);
  const report = JSON.parse(offline.out) as { tools: { tool: string; changed: { diff: { path: string }[] } }[] };
  assert.deepEqual(
    report.tools.map((tool) => [tool.tool, tool.changed.diff.map((d) => d.path)]),
    [['search', ['description']]],
  );
  const unknown = await cli('approve', 'notes', 'nope');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no pinned tool named "nope"/);
  const usage = await cli('approve', 'notes');
  assert.equal(usage.code, 2);
  const all = await cli('approve', 'notes', '--all');
  assert.equal(all.code, 0, all.err);
  assert.equal(all.out, 'approved notes search\n');
  const after = JSON.parse((await cli('pins', '--changed', '--json')).out) as { tools: unknown[] };
  assert.deepEqual(after.tools, []);
});

test('T28 a team policy pins hashes: a tool whose hash differs is hidden and refused whatever was approved here', async (t) => {
  const { h } = await startNotes(t);
  const client = await h.connect();
  await waitUntil(async () => (await names(client)).includes('notes__search'), 'notes to be listed');
  const pins = await runCliInProcess(['--data-dir', h.dataDir, 'tools', 'pins', 'notes', '--json']);
  const hashes = Object.fromEntries(
    (JSON.parse(pins.out) as { tools: { tool: string; hash: string }[] }).tools.map((tool) => [tool.tool, tool.hash]),
  );
  assert.match(hashes.search!, /^sha256:[0-9a-f]{64}$/);

  const other = `sha256:${'0'.repeat(64)}`;
  const updated = await updateConfig(h.dataDir, (draft) => ({
    ...draft,
    policy: { pinnedTools: { notes: { search: hashes.search!, echo: other } } },
  }));
  assert.ok(updated.ok, JSON.stringify(updated));
  await waitUntil(async () => !(await names(client)).includes('notes__echo'), 'notes__echo to be hidden');
  assert.ok((await names(client)).includes('notes__search'), 'the tool with the expected hash stays');
  const error = await refusal(client.callTool({ name: 'notes__echo', arguments: { text: 'x' } }));
  assert.equal((error.data as { rule: string }).rule, 'policy.pinnedTools.notes.echo');
  assert.match(error.message, /definition changed since approval/);
  assert.equal(audit(h, { method: 'tools/call', outcome: 'denied' })[0]?.rule, 'policy.pinnedTools.notes.echo');
});

test('T28 with policy.toolPinning "off" a changed tool stays listed and callable', async (t) => {
  const { h, file } = await startNotes(t, { toolPinning: 'off' });
  const client = await h.connect();
  await writeFile(file, JSON.stringify(CHANGED));
  await client.callTool({ name: 'notes__announce', arguments: {} });
  await waitUntil(
    async () =>
      (await client.listTools()).tools.find((tool) => tool.name === 'notes__search')?.description ===
      CHANGED.search.description,
    'the new description to be listed',
  );
  assert.equal(textOf(await client.callTool({ name: 'notes__search', arguments: {} })), 'search {}');
});

test('T28 an on-demand server whose real tools differ from its cached list on its next start: the change is hidden and refused', async (t) => {
  const file = join(await makeTempDir(t), 'definitions.json');
  const notes = { ...policyServer('mutable', 'notes', file), start: 'on-demand' as const, idleStopAfter: 300 };
  const h = await startHarness({ servers: { notes } });
  t.after(() => h.close());
  const client = await h.connect();
  // The first run lists (and pins) the tools; then the server stops for idleness, its lists kept on disk.
  assert.equal(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'a' } })), 'notes: a');
  await h.waitForState('notes', (s) => s.state === 'idle');
  await writeFile(file, JSON.stringify(CHANGED));
  assert.ok((await names(client)).includes('notes__search'), 'listed from the cache, as pinned');

  // The next call starts it; its real list carries the new description, which is a change like any other.
  assert.equal(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'b' } })), 'notes: b');
  await waitUntil(async () => !(await names(client)).includes('notes__search'), 'notes__search to be hidden');
  const error = await refusal(client.callTool({ name: 'notes__search', arguments: { query: 'x' } }));
  assert.match(error.message, /definition changed since approval/);
});
