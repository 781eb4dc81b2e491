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
import { report, timed } from './support.ts';

const UNAVAILABLE = 'dev.switchboard/unavailable';
const MARGIN_MS = 2_000;
const VALID_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

type Missing = { server: string; reason: string }[];

describe('T76: a hung server does not hold back tools/list', () => {
  const LIST_WAIT_MS = 1_500;
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
        mute: gatewayFixtureServer('slow-list', { timeouts: { startupMs: 3_000 } }),
      },
    });
    await Promise.all([h.waitForState('echo', isRunning), h.waitForState('mute', isRunning)]);
    client = await h.connect();
  });
  after(() => h.close());

  test('the list answers within listWaitMs with the others’ tools and names the missing servers', async (t) => {
    const outcome = await timed(() => client.listTools());
    report(t, `tools/list with a hung server (listWaitMs ${LIST_WAIT_MS})`, outcome.ms);
    assert.ok(outcome.value, String(outcome.error));
    assert.ok(outcome.ms < LIST_WAIT_MS + MARGIN_MS, `took ${outcome.ms} ms`);
    const names = outcome.value.tools.map((tool) => tool.name);
    assert.ok(names.includes('echo__echo'));
    assert.ok(!names.some((n) => n.startsWith('hung__') || n.startsWith('mute__')));
    const missing = outcome.value._meta?.[UNAVAILABLE] as Missing;
    report(t, 'unavailable', JSON.stringify(missing));
    assert.deepEqual(missing.map((m) => m.server).sort(), ['hung', 'mute']);
    assert.match(missing.find((m) => m.server === 'hung')!.reason, /server "hung" is starting/);
    assert.match(missing.find((m) => m.server === 'mute')!.reason, /server "mute" is running but/);
  });

  test('a listing that failed is named with its error, and asking again stays within the bound', async (t) => {
    // mute's listing times out after its startupMs (3 s); wait for that, then list again.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const outcome = await timed(() => client.listTools());
    report(t, 'tools/list after the listing failed', outcome.ms);
    assert.ok(outcome.ms < LIST_WAIT_MS + MARGIN_MS, `took ${outcome.ms} ms`);
    const missing = outcome.value!._meta?.[UNAVAILABLE] as Missing;
    assert.match(missing.find((m) => m.server === 'mute')!.reason, /listing its tools failed: .*timed out/i);
  });

  test('calls to the other servers are unaffected', async (t) => {
    const outcome = await timed(() => client.callTool({ name: 'echo__echo', arguments: { text: 'unaffected' } }));
    report(t, 'call to echo while hung is starting', outcome.ms);
    assert.deepEqual(outcome.value?.content, [{ type: 'text', text: 'unaffected' }]);
    assert.ok(outcome.ms < 1_000);
  });

  test('the scoped endpoint of the hung server answers too, with no tools and the reason', async (t) => {
    const scoped = await h.connect({ path: '/mcp/hung' });
    const outcome = await timed(() => scoped.listTools());
    report(t, 'tools/list on /mcp/hung', outcome.ms);
    assert.ok(outcome.ms < LIST_WAIT_MS + MARGIN_MS);
    assert.deepEqual(outcome.value!.tools, []);
    assert.deepEqual(
      (outcome.value!._meta?.[UNAVAILABLE] as Missing).map((m) => m.server),
      ['hung'],
    );
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
