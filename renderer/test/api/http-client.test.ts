import { describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../src/api/dashboard-client.ts';
import { httpClient, SESSION_LOST, type SocketLike } from '../../src/api/http-client.ts';

interface Sent {
  readonly url: string;
  readonly init: RequestInit;
}

function fakeFetch(reply: (url: string) => Response): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return reply(url);
  }) as unknown as typeof fetch;
  return { fetch: fetchFn, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  close(): void {
    this.closed = true;
  }
}

const BACKOFF = { first: 100, max: 400 };

function socketFactory(): { sockets: FakeSocket[]; openSocket: (url: string) => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  };
}

describe('HTTP client', () => {
  it('makes each call a same-origin POST to /api/<method> with the CSRF header and a JSON body', async () => {
    const { fetch, sent } = fakeFetch(() => json(200, { ok: true, value: { events: [], next: null } }));
    const client = httpClient({ origin: 'http://127.0.0.1:7345', fetch, events: false });
    const answer = await client.api.audit({ tool: 'everything__echo', limit: 200 });
    expect(answer).toEqual({ ok: true, value: { events: [], next: null } });
    expect(sent).toHaveLength(1);
    const [{ url, init }] = sent as [Sent];
    expect(url).toBe('http://127.0.0.1:7345/api/audit');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers).toEqual({ 'content-type': 'application/json', 'x-switchboard-request': '1' });
    expect(JSON.parse(init.body as string)).toEqual({ tool: 'everything__echo', limit: 200 });
  });

  it('passes a refusal on with its field problems', async () => {
    const refusal = {
      ok: false,
      error: 'saveServer: name: must not be empty',
      problems: [{ path: 'name', message: 'must not be empty' }],
    };
    const { fetch } = fakeFetch(() => json(400, refusal));
    const client = httpClient({ origin: 'http://127.0.0.1:7345', fetch, events: false });
    const server = { transport: 'stdio', command: 'x', args: [], env: {}, enabled: true } as const;
    expect(await client.api.saveServer({ name: '', server, replace: false })).toEqual(refusal);
  });

  it('maps 401 to a lost session and tells the app once', async () => {
    const { fetch } = fakeFetch(() => new Response('', { status: 401 }));
    const client = httpClient({ origin: 'http://127.0.0.1:7345', fetch, events: false });
    const states: ConnectionState[] = [];
    client.onConnection((state) => states.push(state));
    expect(await client.api.status({})).toEqual({ ok: false, error: SESSION_LOST });
    await client.api.secrets({});
    expect(states).toEqual(['connecting', 'session-lost']);
  });

  it('turns an unreachable core or an unreadable body into an error answer', async () => {
    const down = httpClient({
      origin: 'http://127.0.0.1:7345',
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch,
      events: false,
    });
    expect(await down.api.status({})).toEqual({
      ok: false,
      error: 'Could not reach Switchboard (status): Failed to fetch',
    });
    const { fetch } = fakeFetch(() => new Response('<html>', { status: 502 }));
    const odd = httpClient({ origin: 'http://127.0.0.1:7345', fetch, events: false });
    const answer = await odd.api.status({});
    expect(answer.ok).toBe(false);
    expect(answer.ok === false && answer.error).toContain('HTTP 502');
  });

  it('reads events from the WebSocket and reopens it with backoff after a drop', async () => {
    vi.useFakeTimers();
    try {
      const { sockets, openSocket } = socketFactory();
      const { fetch, sent } = fakeFetch(() => json(200, { ok: true, value: {} }));
      const client = httpClient({ origin: 'https://127.0.0.1:7345', fetch, openSocket, backoffMs: BACKOFF });
      const states: ConnectionState[] = [];
      const events: unknown[] = [];
      client.onConnection((state) => states.push(state));
      client.onEvent((event) => events.push(event));
      expect(sockets[0]?.url).toBe('wss://127.0.0.1:7345/api/events');
      sockets[0]?.onopen?.({});
      sockets[0]?.onmessage?.({ data: JSON.stringify({ type: 'catalog', server: 'everything' }) });
      sockets[0]?.onmessage?.({ data: 'not json' });
      expect(events).toEqual([{ type: 'catalog', server: 'everything' }]);

      sockets[0]?.onclose?.({});
      expect(states).toEqual(['connecting', 'live', 'connecting']);
      await vi.advanceTimersByTimeAsync(99);
      expect(sockets).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      // Before reopening it asks once whether the session still stands.
      expect(sent.map((s) => s.url)).toEqual(['https://127.0.0.1:7345/api/status']);
      expect(sockets).toHaveLength(2);
      sockets[1]?.onclose?.({});
      await vi.advanceTimersByTimeAsync(199);
      expect(sockets).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets).toHaveLength(3);
      sockets[2]?.onopen?.({});
      expect(states.at(-1)).toBe('live');
      client.close();
      expect(sockets[2]?.closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reconnecting when the session is gone', async () => {
    vi.useFakeTimers();
    try {
      const { sockets, openSocket } = socketFactory();
      const { fetch } = fakeFetch(() => new Response('', { status: 401 }));
      const client = httpClient({ origin: 'http://127.0.0.1:7345', fetch, openSocket, backoffMs: BACKOFF });
      const states: ConnectionState[] = [];
      client.onConnection((state) => states.push(state));
      sockets[0]?.onclose?.({});
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sockets).toHaveLength(1);
      expect(states).toEqual(['connecting', 'session-lost']);
    } finally {
      vi.useRealTimers();
    }
  });
});
