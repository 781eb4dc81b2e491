// Security catalogue T84: an upstream flooding its client with notifications. Progress reaches the caller at most
// PROGRESS_PER_SECOND times a second, coalesced so the final figure still arrives, and log messages at most
// LOG_MESSAGES_PER_SECOND a second per server, the rest dropped; both are counted, the gateway's memory does not
// grow with the flood, and a client of another server is served meanwhile. The fixture sends 100,000 of each as
// fast as the gateway reads its stdout, which on this machine is some tens of thousands a second rather than the
// catalogue's 100,000: the bound checked is the forwarded rate, which does not depend on how fast they come.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { LOG_MESSAGES_PER_SECOND, PROGRESS_PER_SECOND } from '../../../main/gateway/aggregate/notification-rate.ts';
import { fixtureServer, type Harness } from '../../helpers/gateway-harness.ts';
import { MiB, settledHeap } from './memory.ts';
import { audit, securityFixtureServer, sleep, startCore } from './mcp-session.ts';

const COUNT = 100_000;

/**
 * Calls echo on another server, one call after another, until `done` settles; returns how many succeeded, and the
 * most the process held during the flood, measured after a forced GC every few calls (the flood's garbage, which
 * V8 collects at its own pace, is not memory held).
 */
async function echoUntil(client: Client, done: Promise<unknown>): Promise<{ calls: number; held: number }> {
  let finished = false;
  void done.finally(() => (finished = true));
  let calls = 0;
  let held = 0;
  while (!finished) {
    const result = await client.callTool({ name: 'echo__echo', arguments: { text: `meanwhile ${calls}` } });
    assert.deepEqual(result.content, [{ type: 'text', text: `meanwhile ${calls}` }]);
    calls += 1;
    if (calls % 5 === 0) held = Math.max(held, settledHeap());
    await sleep(5);
  }
  return { calls, held };
}

async function metric(h: Harness, name: string, server: string): Promise<number> {
  const response = await fetch(`${h.origin}/metrics`, { headers: { authorization: `Bearer ${h.token}` } });
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`${name}{server="${server}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

interface Flood {
  readonly h: Harness;
  /** What the flooded client received, in order (progress values or log message data). */
  readonly seen: number[];
  readonly elapsed: number;
  /** The most the process held above its baseline during the flood. */
  readonly held: number;
  /** Calls another client made to another server meanwhile. */
  readonly served: number;
}

/** Runs the fixture's `tool` on a fresh core while another client calls echo; `watch` collects what arrives. */
async function flood(
  t: TestContext,
  tool: string,
  args: Record<string, unknown>,
  watch: (client: Client, seen: number[]) => RequestOptions,
): Promise<Flood> {
  const h = await startCore(t, { servers: { echo: fixtureServer('echo'), noisy: securityFixtureServer() } });
  const flooded = await h.connect();
  const other = await h.connect({ name: 'other' });
  const seen: number[] = [];
  const options = { ...watch(flooded, seen), timeout: 120_000 };
  const heapBase = settledHeap();
  const started = performance.now();
  const call = flooded.callTool({ name: `noisy__${tool}`, arguments: args }, undefined, options);
  const { calls: served, held } = await echoUntil(other, call);
  const result = await call;
  assert.deepEqual(result.content, [{ type: 'text', text: `sent ${COUNT}` }]);
  return { h, seen, elapsed: performance.now() - started, held: held - heapBase, served };
}

/** The most a rate bucket of `perSecond` can let through in `ms`: a full bucket, then `perSecond` a second. */
function allowed(perSecond: number, ms: number): number {
  return perSecond + Math.ceil((perSecond * ms) / 1000);
}

test('T84 100,000 progress notifications: forwarded at the progress rate, coalesced to the last, counted', async (t) => {
  const { h, seen, elapsed, held, served } = await flood(t, 'flood', { count: COUNT, size: 64 }, (_client, seen) => ({
    onprogress: (p) => void seen.push(p.progress),
  }));
  const [record] = audit(h, { method: 'tools/call', server: 'noisy' });
  const dropped = record?.detail?.progressDropped;
  t.diagnostic(
    `${COUNT} progress in ${elapsed.toFixed(0)} ms: ${seen.length} forwarded, ${String(dropped)} coalesced; ` +
      `held at most +${(held / MiB).toFixed(1)} MiB; the other client made ${served} calls meanwhile`,
  );
  assert.ok(seen.length <= allowed(PROGRESS_PER_SECOND, elapsed) + 1, `${seen.length} forwarded in ${elapsed} ms`);
  assert.ok(
    seen.every((p, i) => i === 0 || p > seen[i - 1]!),
    'forwarded in order',
  );
  assert.equal(seen.at(-1), COUNT, 'the final progress reaches the caller');
  assert.equal(dropped, COUNT - seen.length, 'every coalesced notification is counted in the audit record');
  assert.equal(await metric(h, 'switchboard_progress_dropped_total', 'noisy'), COUNT - seen.length);
  assert.ok(served > 0, 'a client of another server was served during the flood');
  // 100,000 x 64 characters (over 10 MiB of progress) passed through; the gateway keeps one waiting per request.
  assert.ok(held < 8 * MiB, `the process held ${(held / MiB).toFixed(1)} MiB above its baseline during the flood`);
});

test('T84 100,000 log messages: forwarded at the log rate, the rest dropped and counted', async (t) => {
  const { h, seen, elapsed, held, served } = await flood(t, 'log-flood', { count: COUNT }, (client, seen) => {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen.push(n.params.data as number));
    return {};
  });
  const dropped = await metric(h, 'switchboard_log_messages_dropped', 'noisy');
  t.diagnostic(
    `${COUNT} log messages in ${elapsed.toFixed(0)} ms: ${seen.length} forwarded, ${dropped} dropped; ` +
      `held at most +${(held / MiB).toFixed(1)} MiB; the other client made ${served} calls meanwhile`,
  );
  assert.ok(seen.length > 0, 'log messages still reach the caller');
  assert.ok(seen.length <= allowed(LOG_MESSAGES_PER_SECOND, elapsed), `${seen.length} forwarded in ${elapsed} ms`);
  assert.ok(
    seen.every((d, i) => i === 0 || d > seen[i - 1]!),
    'forwarded in order',
  );
  assert.equal(dropped, COUNT - seen.length, 'every dropped message is counted');
  assert.ok(served > 0, 'a client of another server was served during the flood');
  assert.ok(held < 8 * MiB, `the process held ${(held / MiB).toFixed(1)} MiB above its baseline during the flood`);
});
