// The faults `npm run chaos` injects besides serve's own kill -9: upstream servers killed with -9 during load,
// clients that drop their connection in the middle of a call, clients that open a streaming answer and never read
// it, and the data directory made read-only for a while. Each counts what it did, for the report.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest } from '../main/control/control-client.ts';
import type { StatusReport } from '../main/core/status-report.ts';
import type { Prng } from '../test/helpers/prng.ts';

const MODERN = '2026-07-28';

export interface FaultCounts {
  upstreamKills: number;
  disconnects: number;
  nonReaders: number;
  readOnlyMs: number;
  diskFullMs: number;
  /** Bytes written to fill the disk: what was free when it filled. */
  diskFillBytes: number;
  /** Polls of the team policy endpoint answered with a fault while it was down. */
  feedFaults: number;
}

/** kill -9 of one random server among `names`, by the pid serve reports; false when none was running. */
export async function killRandomUpstream(dataDir: string, names: readonly string[], prng: Prng): Promise<boolean> {
  const status = await controlRequest<StatusReport>(dataDir, 'GET', '/status');
  if (!status.ok) return false;
  const running = status.value.servers.filter((s) => names.includes(s.name) && s.pid !== null);
  if (running.length === 0) return false;
  const victim = prng.pick(running);
  try {
    process.kill(victim.pid!, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** A 2026-07-28 `tools/call` as raw HTTP, for clients that misbehave below what an SDK client would do. */
function modernCall(port: number, token: string, tool: string, args: Record<string, unknown>): ClientRequest {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: {
      name: tool,
      arguments: args,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'chaos-raw', version: '1.0.0' },
        progressToken: 'p',
      },
    },
  });
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/mcp',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
  });
  req.on('error', () => {});
  req.end(body);
  return req;
}

/** A call the client abandons mid-way: the socket is destroyed while the gateway still works on it. */
export function disconnectMidCall(port: number, token: string, afterMs: number): void {
  const req = modernCall(port, token, 'streamer__sleep', { ms: 1_000 });
  setTimeout(() => req.destroy(), afterMs);
}

/**
 * A streaming call (progress every few milliseconds) whose answer is never read: the client stops reading at the
 * first byte and lets the socket's buffers fill, then gives up after `holdMs`.
 */
export function neverRead(port: number, token: string, holdMs: number): void {
  const req = modernCall(port, token, 'streamer__progress', { count: 2_000, intervalMs: 2 });
  req.on('response', (res) => res.pause());
  setTimeout(() => req.destroy(), holdMs);
}

/**
 * Whether chmod can make a directory read-only for this process. Root (CAP_DAC_OVERRIDE) writes through any mode,
 * so the fault would be a no-op; the run says so and skips it rather than pretend.
 */
export function chmodIsEffective(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-chaos-probe-'));
  try {
    chmodSync(dir, 0o555);
    try {
      writeFileSync(join(dir, 'probe'), 'x');
      return false;
    } catch {
      return true;
    }
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the data directory and the directories in it read-only; the returned function restores their modes. */
export function makeReadOnly(dataDir: string): () => void {
  const dirs = [
    dataDir,
    ...readdirSync(dataDir)
      .map((name) => join(dataDir, name))
      .filter((path) => statSync(path).isDirectory()),
  ];
  const modes = dirs.map((path) => [path, statSync(path).mode & 0o7777] as const);
  for (const [path, mode] of modes) chmodSync(path, mode & ~0o222);
  return () => {
    for (const [path, mode] of modes) chmodSync(path, mode);
  };
}
