// Malformed, oversized and adversarial JSON-RPC for the fuzz tests: a seeded generator (the seed is printed, and
// SWITCHBOARD_FUZZ_SEED replays a run) that mutates valid messages, plus a fixed list of known-nasty bodies that
// every run sends. Cases are bytes, not objects, so invalid UTF-8, NUL bytes and truncated JSON can be expressed.
import type { Prng } from '../../helpers/prng.ts';

/** The seed of this run: SWITCHBOARD_FUZZ_SEED when set (to replay a failure), else a fresh one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.SWITCHBOARD_FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`SWITCHBOARD_FUZZ_SEED must be an integer from 0 to 4294967295, got "${given}"`);
    }
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** How many mutated messages each target gets; SWITCHBOARD_FUZZ_ITERATIONS raises it for a longer local run. */
export function fuzzIterations(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.SWITCHBOARD_FUZZ_ITERATIONS);
  return Number.isInteger(given) && given > 0 ? given : fallback;
}

export interface FuzzCase {
  readonly label: string;
  readonly body: Buffer;
  /** The JSON-RPC error code the answer must carry, where only one is right. */
  readonly expectCode?: number;
}

function deep(levels: number, open: string, close: string, inner = '1'): string {
  return open.repeat(levels) + inner + close.repeat(levels);
}

const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe]);

/** Bodies every run sends, whatever the seed: each names the trouble it is. */
export function knownNastyBodies(request: (id: unknown, method: string, params: unknown) => string): FuzzCase[] {
  const text = (label: string, body: string, expectCode?: number): FuzzCase => ({
    label,
    body: Buffer.from(body, 'utf8'),
    ...(expectCode === undefined ? {} : { expectCode }),
  });
  const PARSE = -32700;
  const INVALID = -32600;
  const tool = (args: unknown): unknown => ({ name: 'echo__echo', arguments: args });
  return [
    text('empty body', '', PARSE),
    text('whitespace only', ' \n\t ', PARSE),
    text('invalid JSON', '{"jsonrpc": "2.0", "id": 1, "method": ', PARSE),
    text('trailing garbage', `${request(1, 'ping', {})}}}}`, PARSE),
    text('two objects back to back', `${request(1, 'ping', {})}${request(2, 'ping', {})}`, PARSE),
    text('JSON null', 'null', INVALID),
    text('JSON number', '42', INVALID),
    text('JSON string', '"tools/list"', INVALID),
    text('JSON true', 'true', INVALID),
    text('empty object', '{}', INVALID),
    text('empty batch', '[]', INVALID),
    text('batch of garbage', '[1, "two", null, {}]'),
    text(
      'mixed batch',
      `[${request(1, 'ping', {})}, {"jsonrpc":"2.0","method":"notifications/initialized"}, {"id":3}, 7]`,
    ),
    text('huge batch', `[${Array.from({ length: 2000 }, (_, i) => request(i, 'ping', {})).join(',')}]`),
    text('batch nested in a batch', `[[${request(1, 'ping', {})}]]`),
    text('jsonrpc 1.0', request(1, 'ping', {}).replace('"2.0"', '"1.0"')),
    text('jsonrpc as a number', request(1, 'ping', {}).replace('"2.0"', '2')),
    text('no jsonrpc member', JSON.stringify({ id: 1, method: 'ping' })),
    text('method is a number', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 }), INVALID),
    text('method is an object', JSON.stringify({ jsonrpc: '2.0', id: 1, method: { name: 'ping' } })),
    text('method is empty', request(1, '', {})),
    text('unknown method', request(1, 'no/such/method', {}), -32601),
    text('rpc. reserved method', request(1, 'rpc.discover', {})),
    text('method with NUL', request(1, 'tools/\u0000list', {})),
    text('id is an object', JSON.stringify({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }), INVALID),
    text('id is an array', JSON.stringify({ jsonrpc: '2.0', id: [1], method: 'ping' })),
    text('id is true', JSON.stringify({ jsonrpc: '2.0', id: true, method: 'ping' })),
    text('id is null', JSON.stringify({ jsonrpc: '2.0', id: null, method: 'ping' })),
    text('id is a float', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}'),
    text('id beyond 2^53', '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}'),
    text('id 1e400 (Infinity)', '{"jsonrpc":"2.0","id":1e400,"method":"ping"}'),
    text('id -0', '{"jsonrpc":"2.0","id":-0,"method":"ping"}'),
    text('id a 100 KiB string', request('i'.repeat(100 * 1024), 'ping', {})),
    text('params is a string', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: 'all' })),
    text('params is an array', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: [1, 2] })),
    text('params is null', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: null })),
    text('tools/call without a name', request(1, 'tools/call', { arguments: {} })),
    text('tools/call name is a number', request(1, 'tools/call', { name: 1e308, arguments: {} })),
    text('arguments is a string', request(1, 'tools/call', { name: 'echo__echo', arguments: 'text' })),
    text('arguments of the wrong type', request(1, 'tools/call', tool({ text: { nested: true } }))),
    text('tool name with NUL', request(1, 'tools/call', { name: 'echo__\u0000echo', arguments: {} })),
    text('tool name of 1 MiB', request(1, 'tools/call', { name: 'x'.repeat(1024 * 1024), arguments: {} })),
    text('cursor of garbage', request(1, 'tools/list', { cursor: '\u0000\uffff not base64 %%%' })),
    text(
      '__proto__ keys',
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","__proto__":{"polluted":1},"params":{"name":"echo__echo","__proto__":{"isAdmin":true},"arguments":{"text":"x","__proto__":{"polluted":true}}}}`,
    ),
    text(
      'constructor.prototype keys',
      request(1, 'tools/call', tool({ text: 'x', constructor: { prototype: { polluted: true } } })),
    ),
    text('_meta of garbage', request(1, 'tools/list', { _meta: { progressToken: { a: 1 }, __proto__: [] } })),
    text(
      'progressToken as an object',
      request(1, 'tools/call', { ...(tool({ text: 'p' }) as object), _meta: { progressToken: {} } }),
    ),
    text(
      'deep nesting in params (10 000 levels)',
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":${deep(10_000, '{"a":', '}')}}`,
    ),
    text('deep arrays (100 000 levels)', deep(100_000, '[', ']')),
    text(
      'deep nesting in arguments',
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo__echo","arguments":{"text":${deep(5000, '[', ']', '"x"')}}}}`,
    ),
    text('numbers out of range', request(1, 'tools/call', tool({ text: 'n' })).replace('"n"', '1e999')),
    text('a 3 MiB string argument', request(1, 'tools/call', tool({ text: 'a'.repeat(3 * 1024 * 1024) }))),
    text(
      '100 000 keys',
      request(1, 'tools/call', tool(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])))),
    ),
    text('duplicate keys', '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}'),
    text('lone surrogate escapes', request(1, 'tools/call', tool({ text: '\ud800\udfff\udc00' }))),
    text('escaped NUL in a string', request(1, 'tools/call', tool({ text: 'a\u0000b' }))),
    text('raw NUL byte in the body', `{"jsonrpc":"2.0","id":1,\u0000"method":"ping"}`, PARSE),
    text('BOM before the JSON', `\ufeff${request(1, 'ping', {})}`),
    text('a response sent to the gateway', '{"jsonrpc":"2.0","id":1,"result":{}}'),
    text('an error sent to the gateway', '{"jsonrpc":"2.0","id":1,"error":{"code":"x","message":7}}'),
    text('both result and error', '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}'),
    text('notification with unknown method', '{"jsonrpc":"2.0","method":"notifications/nope","params":{"x":1}}'),
    text(
      'cancel of an unknown request',
      '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{"x":1}}}',
    ),
    {
      label: 'invalid UTF-8 inside a string',
      body: Buffer.concat([
        Buffer.from(
          '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo__echo","arguments":{"text":"',
        ),
        INVALID_UTF8,
        Buffer.from('"}}}'),
      ]),
    },
    {
      label: 'invalid UTF-8 outside strings',
      body: Buffer.concat([Buffer.from('{"jsonrpc":"2.0",'), INVALID_UTF8, Buffer.from('}')]),
    },
    { label: 'UTF-16 body', body: Buffer.from(request(1, 'ping', {}), 'utf16le') },
    { label: 'random binary', body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)) },
  ];
}

const NASTY_VALUES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => Number.MAX_SAFE_INTEGER + 2,
  () => -Number.MAX_VALUE,
  () => 1e-320,
  () => '',
  () => '\u0000',
  () => '\ud800',
  () => 'x'.repeat(70_000),
  () => '../../etc/passwd',
  () => '<script>alert(1)</script>',
  () => '%s%n%x',
  () => [],
  () => [[[[[[[[]]]]]]]],
  () => ({}),
  () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  () => ({ constructor: { prototype: { polluted: true } } }),
  () => ({ toString: 'not a function', valueOf: 1, hasOwnProperty: null }),
  () => Array.from({ length: 1000 }, (_, i) => i),
];

const KEYS = ['__proto__', 'constructor', 'prototype', 'then', 'toJSON', 'id', 'method', '_meta', 'jsonrpc', ''];

/** A copy of `value` with one random change: a member replaced, removed or added, somewhere in the tree. */
export function mutateValue(prng: Prng, value: unknown, depth = 0): unknown {
  const container = typeof value === 'object' && value !== null;
  if (!container || depth > 4 || prng.chance(0.25)) return prng.pick(NASTY_VALUES)();
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    if (copy.length === 0 || prng.chance(0.3)) copy.push(prng.pick(NASTY_VALUES)());
    else {
      const at = prng.int(copy.length);
      copy[at] = mutateValue(prng, copy[at], depth + 1);
    }
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const roll = prng.int(10);
  if (roll === 0 && keys.length > 0) delete copy[prng.pick(keys)];
  else if (roll === 1 || keys.length === 0) {
    // defineProperty so that "__proto__" becomes an own key and is serialized, as a hostile client would send it.
    Object.defineProperty(copy, prng.pick(KEYS), {
      value: prng.pick(NASTY_VALUES)(),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } else {
    const key = prng.pick(keys);
    copy[key] = mutateValue(prng, copy[key], depth + 1);
  }
  return copy;
}

/** Byte-level damage to serialized JSON: cut short, a byte flipped, NUL or invalid UTF-8 spliced in. */
export function damageBytes(prng: Prng, body: Buffer): Buffer {
  const at = prng.int(Math.max(1, body.length));
  switch (prng.int(5)) {
    case 0:
      return body.subarray(0, at);
    case 1: {
      const copy = Buffer.from(body);
      copy[at] = prng.int(256);
      return copy;
    }
    case 2:
      return Buffer.concat([body.subarray(0, at), Buffer.from([0]), body.subarray(at)]);
    case 3:
      return Buffer.concat([body.subarray(0, at), INVALID_UTF8.subarray(prng.int(6)), body.subarray(at)]);
    default:
      return Buffer.concat([body, body]);
  }
}

/**
 * One generated case from a valid message: usually a structural mutation (still JSON), sometimes byte damage, a
 * batch of mutated copies, or the message repeated with one id (duplicate ids).
 */
export function mutatedBody(prng: Prng, valid: Record<string, unknown>): FuzzCase {
  const roll = prng.int(10);
  if (roll < 6) {
    const times = 1 + prng.int(3);
    let value: unknown = valid;
    for (let i = 0; i < times; i += 1) value = mutateValue(prng, value);
    return { label: `mutated x${times}`, body: Buffer.from(JSON.stringify(value) ?? 'undefined') };
  }
  if (roll < 8) return { label: 'damaged bytes', body: damageBytes(prng, Buffer.from(JSON.stringify(valid))) };
  if (roll === 8) {
    const size = prng.pick([0, 1, 2, 33, 200]);
    const items = Array.from({ length: size }, () => (prng.chance(0.5) ? valid : mutateValue(prng, valid)));
    return { label: `batch of ${size}`, body: Buffer.from(JSON.stringify(items)) };
  }
  const copies = Array.from({ length: 2 + prng.int(3) }, () => valid);
  return { label: 'duplicate ids in a batch', body: Buffer.from(JSON.stringify(copies)) };
}
