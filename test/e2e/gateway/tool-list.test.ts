// tools/list through the gateway: one slow or hung server never holds the list back beyond gateway.listWaitMs and
// is named in _meta (T76); names follow the configured separator and MCP's name rules, and renamed tools still
// route to the tool they stand for.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  fixtureServer,
  gatewayFixtureServer,
  isRunning,
  startHarness,
  type Harness,
} from '../../helpers/gateway-harness.ts';
import { report, timed, waitUntil } from './support.ts';

const UNAVAILABLE = 'dev.switchboard/unavailable';
const VALID_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

type Missing = { server: string; reason: string }[];

describe('T76: a hung server does not hold back tools/list', () => {
  const LIST_WAIT_MS = 3_000;
  // mute's listing times out after its startupMs, far past listWaitMs: what mute's entry says tells which came first.
  const MUTE_STARTUP_MS = 10_000;
  // Only a guard against hanging: hung stays "starting" for 120 s, so a request that waited for it would fail here.
  const ASK = { timeout: 30_000 };
  let h: Harness;
  let client: Client;

  before(async () => {
    h = await startHarness({
      gateway: { listWaitMs: LIST_WAIT_MS },
      servers: {
        echo: gatewayFixtureServer('tools'),
        // Answers nothing, not even initialize: it stays "starting" for the whole test.
        hung: fixtureServer('hang-init', { timeouts: { startupMs: 120_000 } }),
        // Answers initialize but never tools/list.
        mute: gatewayFixtureServer('slow-list', { timeouts: { startupMs: MUTE_STARTUP_MS } }),
      },
    });
    await Promise.all([h.waitForState('echo', isRunning), h.waitForState('mute', isRunning)]);
    client = await h.connect();
  });
  after(() => h.close());

  /** Failed reads of a server's tool list so far; the gateway logs each one. */
  function listFailures(server: string): number {
    return h.logLines
      .map((line) => JSON.parse(line) as { msg?: string; server?: string })
      .filter((entry) => entry.msg === 'could not list tools' && entry.server === server).length;
  }

  test('the list answers while hung is starting and mute unlisted, with the others’ tools and the missing named', async (t) => {
    const outcome = await timed(() => client.listTools(undefined, ASK));
    report(t, `tools/list with a hung server (listWaitMs ${LIST_WAIT_MS})`, outcome.ms);
    assert.ok(outcome.value, String(outcome.error));
    const names = outcome.value.tools.map((tool) => tool.name);
    assert.ok(names.includes('echo__echo'));
    assert.ok(!names.some((n) => n.startsWith('hung__') || n.startsWith('mute__')));
    const missing = outcome.value._meta?.[UNAVAILABLE] as Missing;
    report(t, 'unavailable', JSON.stringify(missing));
    assert.deepEqual(missing.map((m) => m.server).sort(), ['hung', 'mute']);
    assert.match(missing.find((m) => m.server === 'hung')!.reason, /server "hung" is starting/);
    // "Not listed yet", not "failed": the answer came before mute's own listing timed out.
    assert.match(missing.find((m) => m.server === 'mute')!.reason, /server "mute" is running but has not listed/);
    assert.equal(listFailures('mute'), 0);
  });

  test('a listing that failed is named with its error, and asking again does not wait for the new attempt', async (t) => {
    await waitUntil(() => listFailures('mute') > 0, 'mute’s listing to time out', MUTE_STARTUP_MS + 10_000);
    const failures = listFailures('mute');
    const outcome = await timed(() => client.listTools(undefined, ASK));
    report(t, 'tools/list after the listing failed', outcome.ms);
    const missing = outcome.value!._meta?.[UNAVAILABLE] as Missing;
    assert.match(missing.find((m) => m.server === 'mute')!.reason, /listing its tools failed: .*timed out/i);
    // This list asked mute again; that attempt cannot fail before MUTE_STARTUP_MS, so the answer did not wait for it.
    assert.equal(listFailures('mute'), failures, 'the answer waited for the new listing attempt');
  });

  test('calls to the other servers are unaffected: a call sent after a waiting list answers before it', async (t) => {
    let listed = false;
    const list = client.listTools(undefined, ASK).then(() => (listed = true));
    const outcome = await timed(() =>
      client.callTool({ name: 'echo__echo', arguments: { text: 'unaffected' } }, undefined, ASK),
    );
    report(t, 'call to echo while hung is starting', outcome.ms);
    assert.deepEqual(outcome.value?.content, [{ type: 'text', text: 'unaffected' }]);
    assert.equal(listed, false, 'the call waited as long as the list, which waits listWaitMs for hung and mute');
    await list;
  });

  test('the scoped endpoint of the hung server answers while it is starting, with no tools and the reason', async (t) => {
    const scoped = await h.connect({ path: '/mcp/hung' });
    const outcome = await timed(() => scoped.listTools(undefined, ASK));
    report(t, 'tools/list on /mcp/hung', outcome.ms);
    assert.deepEqual(outcome.value!.tools, []);
    const missing = outcome.value!._meta?.[UNAVAILABLE] as Missing;
    assert.deepEqual(
      missing.map((m) => m.server),
      ['hung'],
    );
    assert.match(missing[0]!.reason, /server "hung" is starting/);
  });
});

describe('tool names: separator, MCP limits and hashed names that still route', () => {
  let h: Harness;
  let client: Client;

  before(async () => {
    h = await startHarness({
      gateway: { toolSeparator: '.' },
      servers: { names: gatewayFixtureServer('names'), tools: gatewayFixtureServer('tools') },
    });
    await Promise.all([h.waitForState('names', isRunning), h.waitForState('tools', isRunning)]);
    client = await h.connect();
  });
  after(() => h.close());

  test('names use gateway.toolSeparator and keep to MCP’s rules', async (t) => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    report(t, 'names', names.filter((n) => n.startsWith('names.')).join(' '));
    assert.match(client.getInstructions() ?? '', /<server>\.<tool>/);
    assert.ok(names.includes('tools.echo'));
    assert.ok(names.includes('names.plain'));
    assert.ok(names.includes('names.with_space'), 'a valid name was renamed');
    for (const name of names) assert.match(name, VALID_NAME);
    assert.equal(new Set(names).size, names.length);
    const long = names.find((n) => n.startsWith('names.aaaa'));
    assert.ok(long && long.length <= 128, `long name: ${long}`);
  });

  test('every renamed tool routes to the tool it stands for', async () => {
    const { tools } = await client.listTools();
    const seen = new Set<string>();
    for (const tool of tools.filter((x) => x.name.startsWith('names.'))) {
      const result = await client.callTool({ name: tool.name, arguments: {} });
      const text = (result.content as { text: string }[])[0]!.text;
      seen.add(text.replace(/^called /, ''));
    }
    assert.deepEqual([...seen].sort(), ['a'.repeat(140), 'plain', 'with space', 'with_space', 'ünïcode'].sort());
  });

  test('/mcp/<server> shows the upstream names unchanged', async () => {
    const scoped = await h.connect({ path: '/mcp/names' });
    const { tools } = await scoped.listTools();
    assert.ok(tools.some((tool) => tool.name === 'with space'));
    const result = await scoped.callTool({ name: 'ünïcode', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: 'called ünïcode' }]);
  });
});
