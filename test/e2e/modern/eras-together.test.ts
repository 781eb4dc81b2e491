// Security catalogue, section B, T57: both eras at once. A legacy client (SDK 1.x, a 2025-11-25 session with its
// GET stream) and a modern one (SDK 2.x pinned to 2026-07-28, with a subscriptions/listen stream) call the same
// stdio upstream, the echo fixture, which speaks 2025-11-25 only. The catalogue asks for a minute; this runs for
// RUN_MS (10 s) to keep CI short, with two callers per client so calls of both eras interleave on the upstream.
// The catalogue's second half, a remote upstream that speaks only 2026-07-28, needs the supervisor to speak the
// modern era upstream and is not covered here (see docs/protocol-eras.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { audit, startCore, within } from '../security/mcp-session.ts';
import { MODERN, connectModern } from './modern-http.ts';

const RUN_MS = 10_000;
const CALLERS_PER_CLIENT = 2;

type Caller = (text: string) => Promise<string>;

/** Calls echo with distinct texts until `until`, checking each answer is its own; resolves with the count. */
async function callUntil(call: Caller, label: string, until: number): Promise<number> {
  let count = 0;
  while (Date.now() < until) {
    const text = `${label}-${count}-${Math.random().toString(36).slice(2)}`;
    assert.equal(await call(text), text, `${label}: call ${count} got someone else's answer`);
    count += 1;
  }
  return count;
}

function textOf(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[];
  return first?.text ?? '';
}

test('T57 a legacy and a modern client share one stdio upstream: own results, change notices, audited versions', async (t) => {
  const h = await startCore(t);
  const legacy: LegacyClient = await h.connect({ name: 'legacy' });
  const modern: ModernClient = await connectModern(t, h);

  let legacyChanged!: () => void;
  const legacyHeard = new Promise<void>((resolve) => (legacyChanged = resolve));
  legacy.setNotificationHandler(ToolListChangedNotificationSchema, () => legacyChanged());
  let modernChanged!: () => void;
  const modernHeard = new Promise<void>((resolve) => (modernChanged = resolve));
  modern.setNotificationHandler('notifications/tools/list_changed', () => modernChanged());
  const subscription = await modern.listen({ toolsListChanged: true });
  assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true });
  // Both lists are read first, so a notice from the start-up listing cannot pass for the change below.
  assert.ok((await legacy.listTools()).tools.some((tool) => tool.name === 'echo__echo'));
  assert.ok((await modern.listTools()).tools.some((tool) => tool.name === 'echo__echo'));

  const legacyCall: Caller = async (text) => textOf(await legacy.callTool({ name: 'echo__echo', arguments: { text } }));
  const modernCall: Caller = async (text) => textOf(await modern.callTool({ name: 'echo__echo', arguments: { text } }));
  const until = Date.now() + RUN_MS;
  const runs = [
    ...Array.from({ length: CALLERS_PER_CLIENT }, (_, i) => callUntil(legacyCall, `legacy${i}`, until)),
    ...Array.from({ length: CALLERS_PER_CLIENT }, (_, i) => callUntil(modernCall, `modern${i}`, until)),
  ];

  // Half-way, a server is added to config.json: the tool list changes under both clients.
  await new Promise((resolve) => setTimeout(resolve, RUN_MS / 2));
  const written = await writeConfig(dataDirPaths(h.dataDir).config, {
    servers: { echo: fixtureServer('echo'), added: fixtureServer('echo') },
  });
  assert.ok(written.ok);
  await within(legacyHeard, 20_000, 'the legacy client: tools/list_changed on its GET stream');
  await within(modernHeard, 20_000, 'the modern client: tools/list_changed on its listen stream');

  const counts = await Promise.all(runs);
  const legacyCalls = counts.slice(0, CALLERS_PER_CLIENT).reduce((a, b) => a + b, 0);
  const modernCalls = counts.slice(CALLERS_PER_CLIENT).reduce((a, b) => a + b, 0);
  t.diagnostic(`calls in ${RUN_MS} ms: legacy ${legacyCalls}, modern ${modernCalls}`);
  assert.ok(legacyCalls > 0 && modernCalls > 0);

  for (const client of [legacy, modern] as const) {
    const { tools } = await client.listTools();
    assert.ok(
      tools.some((tool) => tool.name === 'added__echo'),
      'the new server is listed',
    );
  }
  await subscription.close();

  const records = audit(h, { method: 'tools/call' }).filter((r) => r.target === 'echo');
  const byVersion = (version: string) => records.filter((r) => r.protocolVersion === version);
  assert.equal(byVersion('2025-11-25').length, legacyCalls, 'every legacy call is audited at 2025-11-25');
  assert.equal(byVersion(MODERN).length, modernCalls, `every modern call is audited at ${MODERN}`);
  assert.ok(records.every((r) => r.outcome === 'ok'));
  assert.ok(
    byVersion(MODERN).every((r) => r.sessionId === null),
    'modern calls belong to no session',
  );
  assert.ok(byVersion('2025-11-25').every((r) => typeof r.sessionId === 'string'));
});
