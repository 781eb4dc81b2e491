// The bridge's stdio transport answers what it cannot forward (JSON-RPC 2.0 section 5) and keeps reading.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { AnsweringStdioTransport } from '../../../main/protocol/answering-stdio-transport.ts';

async function run(input: string | Buffer, maxLineBytes?: number) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const refused: string[] = [];
  const forwarded: JSONRPCMessage[] = [];
  const transport = new AnsweringStdioTransport({
    stdin,
    stdout,
    ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
    onRefused: (why) => refused.push(why),
  });
  transport.onmessage = (message) => void forwarded.push(message);
  await transport.start();
  stdin.write(input);
  await new Promise((resolve) => setImmediate(resolve));
  await transport.close();
  const written = String(stdout.read() ?? '');
  const answers = written
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: unknown; error: { code: number; message: string } });
  return { answers, forwarded, refused };
}

test('a line that is not JSON is answered -32700 with id null, and the next line is still read', async () => {
  const { answers, forwarded } = await run('{"jsonrpc":"2.0","id":1,\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
  assert.deepEqual(
    answers.map((a) => [a.id, a.error.code]),
    [[null, -32700]],
  );
  assert.deepEqual(forwarded, [{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
});

test('JSON that is no JSON-RPC message is answered -32600, with its id when the id is usable', async () => {
  const { answers, forwarded } = await run(
    [
      '{"jsonrpc":"2.0","id":7,"method":42}',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
      '{"jsonrpc":"2.0","id":1.5,"method":7}',
      '[{"jsonrpc":"2.0","id":3,"method":"ping"}]',
      'null',
      '',
      '   ',
    ].join('\n') + '\n',
  );
  assert.deepEqual(
    answers.map((a) => [a.id, a.error.code]),
    [
      [7, -32600],
      [null, -32600],
      [null, -32600],
      [null, -32600],
      [null, -32600],
    ],
  );
  assert.match(answers[3]!.error.message, /batches/);
  assert.deepEqual(forwarded, []);
});

test('a malformed response from the client is reported, never answered (no error loop)', async () => {
  const { answers, refused } = await run('{"jsonrpc":"2.0","id":1,"result":7}\n');
  assert.deepEqual(answers, []);
  assert.equal(refused.length, 1);
});

test('a line over the limit is refused once and skipped to its end; the following line is forwarded', async () => {
  const long = `{"jsonrpc":"2.0","id":9,"method":"ping","params":{"p":"${'x'.repeat(500)}"}}`;
  const { answers, forwarded } = await run(`${long}\n{"jsonrpc":"2.0","id":10,"method":"ping"}\n`, 100);
  assert.equal(answers.length, 1);
  assert.equal(answers[0]!.error.code, -32600);
  assert.match(answers[0]!.error.message, /longer than 100 bytes/);
  assert.deepEqual(forwarded, [{ jsonrpc: '2.0', id: 10, method: 'ping' }]);
});
