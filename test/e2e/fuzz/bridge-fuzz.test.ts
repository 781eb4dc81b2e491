// Hostile input on the stdin of `switchboard bridge`, in front of a real `switchboard serve`: the fixed known-nasty
// list and a few hundred seeded mutations, once over a legacy session (initialize first) and once as a 2026-07-28
// client (no session). After each case a ping proves the bridge still reads; every line it writes must be a
// well-formed JSON-RPC message, every request with a usable id must get its answer, and a line the bridge cannot
// forward must be answered (-32700 / -32600) rather than dropped. SWITCHBOARD_FUZZ_SEED=<seed> replays a run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import { checkJsonRpcMessage } from '../../../main/protocol/jsonrpc-message.ts';
import { NODE, REPO } from '../../helpers/gateway-harness.ts';
import { BIN } from '../cli/serve-process.ts';
import { envelope, MODERN } from '../modern/modern-http.ts';
import { initializeBody } from '../security/mcp-session.ts';
import type { Target } from '../security/raw-http.ts';
import { LEGACY_VALID, MODERN_VALID, modernRpcText, rpcText, type Message } from './fuzz-messages.ts';
import { Prng } from '../../helpers/prng.ts';
import { fuzzIterations, fuzzSeed, knownNastyBodies, mutatedBody, type FuzzCase } from './fuzz-input.ts';
import { alive, healthy, messageProblem, rssMiB, startFuzzServe } from './fuzz-serve.ts';

const ITERATIONS = fuzzIterations(250);
const ANSWER_MS = 15_000;
/** Allowed growth of the bridge's resident set over the run; see RSS_MARGIN_MIB in http-fuzz.test.ts. */
const RSS_MARGIN_MIB = 64;

/** A running bridge: what it wrote, parsed line by line, and a way to wait for a message. */
class BridgeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly received: Message[] = [];
  readonly problems: string[] = [];
  stderr = '';
  #buffer = '';
  #waiters = new Set<() => void>();

  constructor(url: string, token: string) {
    this.child = spawn(NODE, [BIN, 'bridge', '--client', 'fuzz', '--url', url], {
      cwd: REPO,
      env: { ...process.env, SWITCHBOARD_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      let at: number;
      while ((at = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 1);
        this.#onLine(line);
      }
      for (const wake of [...this.#waiters]) wake();
    });
  }

  #onLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.problems.push(`not JSON on stdout: ${line.slice(0, 200)}`);
      return;
    }
    const problem = messageProblem(value);
    if (problem) this.problems.push(`${problem}: ${line.slice(0, 200)}`);
    this.received.push(value as Message);
  }

  write(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  send(message: Message): void {
    this.write(Buffer.from(`${JSON.stringify(message)}\n`));
  }

  /** Waits for a message received at or after index `from` that matches. */
  waitFor(from: number, match: (m: Message) => boolean, what: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.slice(from).find(match);
        if (found === undefined) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`no ${what} within ${ANSWER_MS} ms; bridge stderr: ${this.stderr.slice(-1000)}`));
      }, ANSWER_MS);
      this.#waiters.add(wake);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

interface Mode {
  readonly name: string;
  readonly valid: readonly Message[];
  open(bridge: BridgeProcess): Promise<void>;
  request(id: unknown, method: string, params: unknown): string;
  /** A request that always succeeds: sent after each case, its answer proves the bridge still reads. */
  ping(id: string): Message;
}

const LEGACY: Mode = {
  name: 'legacy session',
  valid: LEGACY_VALID,
  async open(bridge) {
    bridge.write(Buffer.from(`${initializeBody('2025-11-25', 'init')}\n`));
    await bridge.waitFor(0, (m) => m.id === 'init' && 'result' in m, 'initialize answer');
    bridge.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  },
  request: rpcText,
  ping: (id) => ({ jsonrpc: '2.0', id, method: 'ping' }),
};

const MODERN_MODE: Mode = {
  name: MODERN,
  valid: MODERN_VALID,
  async open() {},
  request: modernRpcText,
  // 2026-07-28 has no ping; discover is its cheapest request.
  ping: (id) => ({ jsonrpc: '2.0', id, method: 'server/discover', params: { _meta: envelope() } }),
};

/** The id a valid request in `bytes` carries, when the line is one: its answer must come. */
function requestId(bytes: Buffer): string | number | null {
  if (bytes.includes(0x0a)) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = checkJsonRpcMessage(value);
  if (!parsed.success || !('method' in parsed.data) || !('id' in parsed.data)) return null;
  return parsed.data.id;
}

async function fuzzBridge(t: TestContext, target: Target, url: string, mode: Mode, prng: Prng): Promise<void> {
  const bridge = new BridgeProcess(url, target.token);
  t.after(() => bridge.stop());
  await mode.open(bridge);
  let sync = 0;
  const roundTrip = async (from: number): Promise<void> => {
    const id = `sync-${sync++}`;
    bridge.send(mode.ping(id));
    await bridge.waitFor(from, (m) => m.id === id && 'result' in m, `answer to ping ${id}`);
  };
  const one = async (c: FuzzCase, where: string): Promise<void> => {
    const from = bridge.received.length;
    const id = requestId(c.body);
    bridge.write(Buffer.concat([c.body, Buffer.from('\n')]));
    const what = `${where} ${c.label}: ${c.body.toString('utf8').slice(0, 200)}`;
    await roundTrip(from).catch((error: unknown) => assert.fail(`${what}: ${(error as Error).message}`));
    if (id !== null) await bridge.waitFor(from, (m) => m.id === id && !('method' in m), `answer to ${what}`);
    // Blank lines are no messages on stdio (the framing allows them), so they get no answer there.
    if (c.expectCode !== undefined && c.body.toString('utf8').trim() !== '') {
      const code = c.expectCode;
      await bridge.waitFor(
        from,
        (m) => (m.error as { code?: unknown } | undefined)?.code === code,
        `error ${code} for ${what}`,
      );
    }
    assert.deepEqual(bridge.problems, [], what);
    assert.ok(alive(bridge.child), `the bridge exited at ${what}`);
  };

  for (const c of knownNastyBodies(mode.request)) await one(c, `${mode.name} fixed`);
  const baseline = rssMiB(bridge.child.pid!);
  for (let i = 0; i < ITERATIONS; i += 1) {
    const valid = { ...prng.pick(mode.valid) };
    if ('id' in valid) valid.id = `fz-${i}`;
    await one(mutatedBody(prng, valid), `${mode.name} #${i}`);
  }
  const after = rssMiB(bridge.child.pid!);
  t.diagnostic(
    `${mode.name}: ${bridge.received.length} messages from the bridge; RSS ${baseline.toFixed(0)} -> ${after.toFixed(0)} MiB`,
  );
  assert.ok(after - baseline < RSS_MARGIN_MIB, `the bridge's RSS grew by ${(after - baseline).toFixed(0)} MiB`);
  assert.doesNotMatch(bridge.stderr, /\n\s+at \S.*:\d+:\d+/, 'no stack trace on the bridge stderr');
  const call = mode.request('last', 'tools/call', { name: 'echo__echo', arguments: { text: 'still bridged' } });
  const from = bridge.received.length;
  bridge.write(Buffer.from(`${call}\n`));
  const answer = await bridge.waitFor(from, (m) => m.id === 'last', 'the last call');
  assert.match(JSON.stringify(answer), /still bridged/);
}

test('T14 fuzzed over the bridge: stdin in both eras, every request answered, bad lines refused, no crash', async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay with SWITCHBOARD_FUZZ_SEED=${seed})`);
  const prng = new Prng(seed);
  const { serve, target } = await startFuzzServe(t);
  try {
    for (const mode of [LEGACY, MODERN_MODE]) await fuzzBridge(t, target, serve.url, mode, prng);
  } catch (error) {
    throw new Error(`seed ${seed} (replay with SWITCHBOARD_FUZZ_SEED=${seed}): ${(error as Error).message}`, {
      cause: error,
    });
  }
  assert.ok(alive(serve.child), 'serve is still running');
  assert.ok(await healthy(target), '/healthz after the run');
});
