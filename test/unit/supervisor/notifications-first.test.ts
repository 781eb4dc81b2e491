// A server's last progress notification and its result, read in one go, against a real SDK Client.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  LATEST_PROTOCOL_VERSION,
  isJSONRPCRequest,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { deliverNotificationsFirst } from '../../../main/supervisor/notifications-first.ts';

/** A server on the other end of a transport that answers a tools/call with progress and result in one read. */
class OneReadServer implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCRequest(message)) return;
    if (message.method === 'initialize') {
      const result = {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: { tools: {} },
        serverInfo: { name: 'one-read', version: '1' },
      };
      queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id: message.id, result }));
      return;
    }
    const token = (message.params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    setTimeout(() => {
      // Both messages in the same synchronous run, as when they arrive in one chunk.
      for (const progress of [1, 2]) {
        this.onmessage?.({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token!, progress },
        });
      }
      this.onmessage?.({ jsonrpc: '2.0', id: message.id, result: { content: [] } });
    }, 5);
  }
}

async function progressSeen(fix: 'none' | 'transport'): Promise<number[]> {
  const transport = new OneReadServer();
  const client = new Client({ name: 't', version: '1' });
  client.onerror = () => {};
  if (fix === 'transport') deliverNotificationsFirst(transport);
  await client.connect(transport);
  const seen: number[] = [];
  await client.callTool({ name: 'x', arguments: {} }, CallToolResultSchema, {
    onprogress: (p) => seen.push(p.progress),
  });
  await client.close();
  return seen;
}

test('without the fix the SDK drops progress read together with the result (why the fix exists)', async () => {
  assert.deepEqual(await progressSeen('none'), []);
});

test('with responses delivered last, every progress notification reaches the caller first', async () => {
  assert.deepEqual(await progressSeen('transport'), [1, 2]);
});

test('other messages pass at once and in order; a handler set later is the one used', () => {
  const transport = new OneReadServer();
  deliverNotificationsFirst(transport);
  const got: string[] = [];
  transport.onmessage = () => got.push('old');
  transport.onmessage = (m) => got.push('method' in m ? m.method : 'response');
  transport.onmessage({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
  assert.deepEqual(got, ['notifications/message']);
  transport.onmessage = undefined;
  assert.equal(transport.onmessage, undefined);
});
