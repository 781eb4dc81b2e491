// Security catalogue T48: a load run leaves nothing behind. Four clients make calls through one core; after a
// forced GC the heap and the open handles are back to what they were after the warm-up. Scaled from 10,000 calls
// to 2,000 (500 per client): each call costs an audit record and a round trip to a stdio server, and on this
// shared machine 10,000 would take minutes without telling more. The core runs in this process (memory.ts), so the
// figures are the gateway's plus four SDK clients'.
//
// The warm-up is as long as the run: measured here, the first 2,000 calls grow the heap by some 3 MiB (7%) once
// (compiled code, caches, pools reaching their working size), and each later 2,000 by 0.1 to 0.9 MiB (under 2%).
// Handles are counted without the transient ones (immediates, timers) and once the clients' keep-alive sockets
// opened for concurrent calls have closed again (they come and go by three or so either way).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { MiB, settledHeap } from './memory.ts';
import { sleep, startCore } from './mcp-session.ts';

const CLIENTS = 4;
const CALLS = 500;

async function calls(clients: readonly Client[], each: number): Promise<void> {
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < each; i++) {
        const text = `client ${c} call ${i}`;
        const result = await client.callTool({ name: 'echo__echo', arguments: { text } });
        assert.deepEqual(result.content, [{ type: 'text', text }]);
      }
    }),
  );
}

/** Lasting handles keeping the event loop alive: sockets, pipes, child processes, watchers, ports. */
function openHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r !== 'Immediate' && r !== 'Timeout').length;
}

/**
 * Open handles once idle keep-alive sockets have closed: when the count has not changed for 6 s (longer than the
 * gateway's and the clients' keep-alive timeouts), or is no more than `atMost`; 30 s at most.
 */
async function handlesSettled(atMost = 0): Promise<number> {
  const deadline = Date.now() + 30_000;
  let count = openHandles();
  let since = Date.now();
  while (count > atMost && Date.now() - since < 6_000 && Date.now() < deadline) {
    await sleep(100);
    const now = openHandles();
    if (now !== count) [count, since] = [now, Date.now()];
  }
  return count;
}

test('T48 after 2,000 calls across 4 clients, heap and open handles return to their post-warm-up values', async (t) => {
  const h = await startCore(t);
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await h.connect());
  await calls(clients, CALLS);
  const handlesBase = await handlesSettled();
  const heapBase = settledHeap();

  await calls(clients, CALLS);
  const handles = await handlesSettled(handlesBase);
  const heap = settledHeap();
  const growth = (heap - heapBase) / heapBase;
  t.diagnostic(
    `${CLIENTS * CALLS} calls: heap ${(heapBase / MiB).toFixed(1)} -> ${(heap / MiB).toFixed(1)} MiB ` +
      `(${(growth * 100).toFixed(1)}%), open handles ${handlesBase} -> ${handles}`,
  );
  assert.ok(growth < 0.05, `the heap grew ${(growth * 100).toFixed(1)}% over the load run`);
  assert.ok(handles <= Math.floor(handlesBase * 1.05), `open handles went from ${handlesBase} to ${handles}`);
});
