// Hostile input at `/mcp` of a real `switchboard serve`, in both protocol eras: legacy sessions (opened with
// initialize, at 2025-11-25 and at 2025-03-26, which has batches) and 2026-07-28 requests without a session. A fixed
// list of known-nasty bodies, then a few hundred seeded mutations of valid messages with header games. Every answer
// must be a well-formed JSON-RPC message or JSON refusal, in bounded time; the process must live on, still answer
// /healthz and a real tool call, and its memory must not keep growing. SWITCHBOARD_FUZZ_SEED=<seed> replays a run.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test, type TestContext } from 'node:test';
import { controlRequest } from '../../../main/control/control-client.ts';
import type { StatusReport } from '../../../main/core/status-report.ts';
import { initializeBody, openSession, type OpenedSession } from '../security/mcp-session.ts';
import { rawRequest, type RawResponse, type Target } from '../security/raw-http.ts';
import { envelope, MODERN } from '../modern/modern-http.ts';
import { LEGACY_VALID, MODERN_VALID, modernRpcText, rpcText, type Message } from './fuzz-messages.ts';
import { Prng } from '../../helpers/prng.ts';
import { fuzzIterations, fuzzSeed, knownNastyBodies, mutatedBody, type FuzzCase } from './fuzz-input.ts';
import {
  alive,
  answerProblem,
  errorCodeOf,
  healthy,
  heapAfterGcMiB,
  messageProblem,
  rssMiB,
  startFuzzServe,
} from './fuzz-serve.ts';

const ITERATIONS = fuzzIterations(250);
/** No answer may take longer: the slowest legitimate case (a 3 MiB argument echoed) takes well under a second. */
const ANSWER_MS = 15_000;
/**
 * Allowed growth of serve's heap, after a full collection, between the end of the warm-up and the end of the run.
 * What stays is sessions opened by mutated initialize requests (each lives until it idles out) and caches that
 * are bounded; a leak of even a few KiB per case over the run's thousand cases would cross this.
 */
const HEAP_MARGIN_MIB = 16;

interface Era {
  readonly name: string;
  /** Valid messages the mutations start from. */
  readonly valid: readonly Message[];
  /** Headers that make a request of this era; computed from the body so that 2026-07-28 mirrors stay right. */
  headers(body: Buffer): Record<string, string>;
  /** A request body of this era, for the fixed cases. */
  request(id: unknown, method: string, params: unknown): string;
}

function legacyEra(session: OpenedSession): Era {
  return {
    name: `legacy ${session.protocolVersion}`,
    valid: [...LEGACY_VALID, JSON.parse(initializeBody(session.protocolVersion, 8)) as Message],
    headers: () => ({ 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion }),
    request: rpcText,
  };
}

const modernEra: Era = {
  name: MODERN,
  valid: MODERN_VALID,
  headers(body) {
    // The mirrored headers follow the body where they can, so the mutations reach past the header checks.
    let parsed: { method?: unknown; params?: { name?: unknown; uri?: unknown } } = {};
    try {
      parsed = (JSON.parse(body.toString('utf8')) as typeof parsed | null) ?? {};
    } catch {
      // Not JSON: the gateway must refuse it on the body, whatever the headers say.
    }
    const headers: Record<string, string> = { 'mcp-protocol-version': MODERN };
    if (typeof parsed.method === 'string' && /^[\x20-\x7e]{0,200}$/.test(parsed.method)) {
      headers['mcp-method'] = parsed.method;
    }
    const name = parsed.params?.name ?? parsed.params?.uri;
    if (typeof name === 'string' && /^[\x20-\x7e]{1,200}$/.test(name)) headers['mcp-name'] = name;
    return headers;
  },
  request: modernRpcText,
};

/** Header games: one header of the era's set replaced, removed or doubled, or a media type turned hostile. */
function headerGame(prng: Prng, base: Record<string, string>): Record<string, string | undefined> {
  const games: (() => Record<string, string | undefined>)[] = [
    () => ({ 'content-type': prng.pick(['text/plain', 'application/json; charset=utf-16', 'application/xml', '']) }),
    () => ({ 'content-type': undefined }),
    () => ({ accept: prng.pick(['text/html', '*/*', 'application/json', 'text/event-stream', '']) }),
    () => ({ 'mcp-protocol-version': prng.pick(['2099-01-01', 'garbage', '', '2025-03-26', '2024-11-05', MODERN]) }),
    () => ({ 'mcp-protocol-version': undefined }),
    () => ({ 'mcp-session-id': prng.pick(['00000000-0000-0000-0000-000000000000', 'x'.repeat(4000), '../..', '']) }),
    () => ({ 'mcp-session-id': undefined }),
    () => ({ 'mcp-method': prng.pick(['tools/call', 'initialize', 'x'.repeat(2000), '']) }),
    () => ({ 'mcp-name': prng.pick(['=?base64?AAAA?=', '=?base64?!!!?=', 'echo__echo', '']) }),
    () => ({ 'mcp-param-text': 'x' }),
    () => ({ 'last-event-id': prng.pick(['0', 'x'.repeat(3000), '-1']) }),
    () => ({ origin: prng.pick(['null', 'http://127.0.0.1', 'http://evil.example']) }),
  ];
  const changed: Record<string, string | undefined> = { ...base };
  const count = prng.int(3);
  for (let i = 0; i < count; i += 1) Object.assign(changed, prng.pick(games)());
  return changed;
}

interface Tally {
  readonly statuses: Map<number, number>;
  sent: number;
  slowestMs: number;
}

async function send(target: Target, c: FuzzCase, headers: Record<string, string | undefined>, tally: Tally) {
  const started = performance.now();
  let response: RawResponse;
  try {
    response = await rawRequest(target, { body: c.body, headers, timeoutMs: ANSWER_MS });
  } catch (error) {
    const what = `${c.label} with headers ${JSON.stringify(headers).slice(0, 300)}, body ${c.body.toString('utf8').slice(0, 300)}`;
    throw new Error(`no answer to ${what}: ${(error as Error).message}`, { cause: error });
  }
  tally.sent += 1;
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - started);
  tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
  return response;
}

function check(c: FuzzCase, response: RawResponse, where: string): void {
  const problem = answerProblem(response);
  assert.equal(
    problem,
    null,
    `${where} ${c.label}: ${problem} (HTTP ${response.status}: ${response.text.slice(0, 300)})`,
  );
  if (c.expectCode !== undefined) {
    assert.equal(errorCodeOf(response), c.expectCode, `${where} ${c.label}: ${response.text.slice(0, 300)}`);
  }
}

async function fuzzEra(t: TestContext, target: Target, era: Era, prng: Prng, rounds: number, tally: Tally) {
  for (const c of knownNastyBodies(era.request)) {
    check(c, await send(target, c, era.headers(c.body), tally), `${era.name} fixed`);
  }
  for (let i = 0; i < rounds; i += 1) {
    const c = mutatedBody(prng, prng.pick(era.valid));
    const headers = prng.chance(0.2) ? headerGame(prng, era.headers(c.body)) : era.headers(c.body);
    const response = await send(target, c, headers, tally);
    check(
      c,
      response,
      `${era.name} #${i} (headers ${JSON.stringify(headers).slice(0, 200)}) body ${c.body.toString('utf8').slice(0, 200)}`,
    );
  }
  t.diagnostic(`${era.name}: ${tally.sent} requests so far, slowest answer ${Math.round(tally.slowestMs)} ms`);
}

/** Headers beyond Node's 16 KiB: refused by the HTTP parser, which the gateway answers in JSON too. */
async function headerOverflow(target: Target, tally: Tally): Promise<void> {
  const c: FuzzCase = { label: 'a 20 KiB header', body: Buffer.from(rpcText(1, 'ping', {})), expectCode: -32600 };
  const response = await send(target, c, { 'x-padding': 'x'.repeat(20 * 1024) }, tally);
  assert.equal(response.status, 431, response.text);
  check(c, response, 'header overflow');
}

/** Bytes that are no HTTP request at all, on a raw socket: whatever Node's parser says, it says in JSON. */
async function garbageRequests(target: Target): Promise<void> {
  for (const bytes of [
    'GARBAGE\r\n\r\n',
    'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
    '\u0000\u0001\r\n\r\n',
  ]) {
    const socket = connect(target.port, '127.0.0.1');
    socket.end(bytes);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    await new Promise<void>((resolve, reject) => {
      socket.once('close', () => resolve());
      socket.once('error', reject);
      socket.setTimeout(ANSWER_MS, () => reject(new Error(`no answer to ${JSON.stringify(bytes)}`)));
    });
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(bytes));
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    assert.equal(messageProblem(JSON.parse(body)), null, body);
  }
}

async function echoWorks(target: Target): Promise<void> {
  const session = await openSession(target);
  const legacy = await rawRequest(target, {
    headers: { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion },
    body: rpcText(1, 'tools/call', { name: 'echo__echo', arguments: { text: 'still here' } }),
  });
  assert.match(legacy.text, /still here/, `a legacy call after the fuzzing: ${legacy.text.slice(0, 300)}`);
  const body = { name: 'echo__echo', arguments: { text: 'modern too' }, _meta: envelope() };
  const modern = await rawRequest(target, {
    headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo__echo' },
    body: rpcText(2, 'tools/call', body),
  });
  assert.match(modern.text, /modern too/, `a modern call after the fuzzing: ${modern.text.slice(0, 300)}`);
}

test('T14 fuzzed: /mcp in both eras, well-formed answers in bounded time, serve alive, memory bounded', async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay with SWITCHBOARD_FUZZ_SEED=${seed})`);
  const prng = new Prng(seed);
  const { serve, target, dataDir } = await startFuzzServe(t);
  const tally: Tally = { statuses: new Map(), sent: 0, slowestMs: 0 };
  const pid = serve.child.pid!;

  const eras = [
    legacyEra(await openSession(target)),
    legacyEra(await openSession(target, { version: '2025-03-26' })),
    modernEra,
  ];
  try {
    // Warm-up: every era's code is loaded and its caches filled before memory is measured.
    for (const era of eras) await fuzzEra(t, target, era, prng, 20, tally);
    assert.ok(await healthy(target), '/healthz after the warm-up');
    await headerOverflow(target, tally);
    await garbageRequests(target);
    const baseline = await heapAfterGcMiB(serve);
    const rssBefore = rssMiB(pid);
    for (const era of eras) {
      await fuzzEra(t, target, era, prng, ITERATIONS, tally);
      assert.ok(alive(serve.child), `serve died during the ${era.name} round; stderr: ${serve.stderr().slice(-2000)}`);
      assert.ok(await healthy(target), `/healthz after the ${era.name} round`);
    }
    await echoWorks(target);
    const after = await heapAfterGcMiB(serve);
    const rssAfter = rssMiB(pid);
    // A mutated initialize sent without a session header opens a session, which lives until it idles out.
    const status = await controlRequest<StatusReport>(dataDir, 'GET', '/status');
    t.diagnostic(`sessions open after the run: ${status.ok ? status.value.sessions : status.error}`);
    t.diagnostic(
      `${tally.sent} requests; statuses ${JSON.stringify(Object.fromEntries(tally.statuses))}; ` +
        `heap after a full collection ${baseline.toFixed(1)} MiB after warm-up, ${after.toFixed(1)} MiB after the run ` +
        `(RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB)`,
    );
    assert.ok(
      after - baseline < HEAP_MARGIN_MIB,
      `serve's collected heap grew by ${(after - baseline).toFixed(1)} MiB over the run (limit ${HEAP_MARGIN_MIB} MiB)`,
    );
  } catch (error) {
    throw new Error(`seed ${seed} (replay with SWITCHBOARD_FUZZ_SEED=${seed}): ${(error as Error).message}`, {
      cause: error,
    });
  }
  assert.ok(alive(serve.child), 'serve is still running');
});
