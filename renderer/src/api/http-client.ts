// The browser form, for `switchboard serve`: each call is `POST /api/<method>` with a JSON body and the CSRF
// header, answered by an `Answer` (200 done, 400 refused, 401 when the session cookie is gone); events come over
// a WebSocket at /api/events, reopened with backoff when it drops, after which the app re-reads its state.
import {
  API_PREFIX,
  CONTROL_METHODS,
  CSRF_HEADER,
  EVENTS_PATH,
  type Answer,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
} from '../../../preload/contract.ts';
import { Listeners, type ConnectionState, type DashboardClient } from './dashboard-client.ts';

export const SESSION_LOST =
  'The dashboard session has ended. Open the Dashboard link that `switchboard serve` printed to sign in again.';

/** The part of WebSocket the client uses, so tests can hand in their own. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}

export interface HttpClientOptions {
  /** The page's origin, e.g. `http://127.0.0.1:7345`. */
  readonly origin: string;
  readonly fetch?: typeof fetch;
  readonly openSocket?: (url: string) => SocketLike;
  /** Waits between reconnects: first, then doubled up to the last. */
  readonly backoffMs?: { readonly first: number; readonly max: number };
  /** Whether to open the event stream (off in tests of calls alone). */
  readonly events?: boolean;
}

function isAnswer(body: unknown): body is Answer<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  const ok = (body as { ok: unknown }).ok;
  return ok === true || (ok === false && typeof (body as { error?: unknown }).error === 'string');
}

/**
 * One call as `POST /api/<method>` with a JSON body and the CSRF header: the `Answer` it got, a refusal that says
 * why there is none, or `unauthorized` (401: the browser's session is gone) for the caller to act on.
 */
export async function postCall(
  doFetch: typeof fetch,
  origin: string,
  method: string,
  input: unknown,
): Promise<Answer<unknown> | 'unauthorized'> {
  let response: Response;
  try {
    response = await doFetch(`${origin}${API_PREFIX}${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify(input ?? {}),
    });
  } catch (error) {
    return { ok: false, error: `Could not reach Switchboard (${method}): ${(error as Error).message}` };
  }
  if (response.status === 401) return 'unauthorized';
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, error: `Switchboard answered ${method} with HTTP ${response.status} and no readable body.` };
  }
  if (isAnswer(body)) return body;
  return { ok: false, error: `Switchboard answered ${method} with HTTP ${response.status} and an unexpected body.` };
}

export function httpClient(options: HttpClientOptions): DashboardClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const openSocket = options.openSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const backoff = options.backoffMs ?? { first: 500, max: 10_000 };
  const events = new Listeners<ControlEvent>();
  const connection = new Listeners<ConnectionState>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delay = backoff.first;
  let closed = false;

  const setState = (next: ConnectionState): void => {
    if (state === next || state === 'session-lost') return;
    state = next;
    connection.emit(next);
  };

  const sessionLost = (): void => {
    setState('session-lost');
    if (timer !== null) clearTimeout(timer);
    socket?.close();
    socket = null;
  };

  async function call(method: ControlMethod, input: unknown): Promise<Answer<unknown>> {
    const answer = await postCall(doFetch, options.origin, method, input);
    if (answer !== 'unauthorized') return answer;
    sessionLost();
    return { ok: false, error: SESSION_LOST };
  }

  const api = Object.fromEntries(
    (Object.keys(CONTROL_METHODS) as ControlMethod[]).map((method) => [
      method,
      (input: unknown) => call(method, input),
    ]),
  ) as unknown as ControlApi;

  const eventsUrl = options.origin.replace(/^http/, 'ws') + EVENTS_PATH;

  function connect(): void {
    if (closed || state === 'session-lost') return;
    const current = openSocket(eventsUrl);
    socket = current;
    current.onopen = () => {
      delay = backoff.first;
      setState('live');
    };
    current.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let event: ControlEvent;
      try {
        event = JSON.parse(message.data) as ControlEvent;
      } catch {
        return;
      }
      events.emit(event);
    };
    current.onerror = () => {};
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      if (closed || state === 'session-lost') return;
      setState('connecting');
      timer = setTimeout(retry, delay);
      delay = Math.min(delay * 2, backoff.max);
    };
  }

  // A refused upgrade looks like any dropped socket; one cheap call tells a lost session (401) from a core that
  // is away (restarting, or the network), so the user is told which.
  async function retry(): Promise<void> {
    timer = null;
    await call('status', {});
    connect();
  }

  if (options.events !== false) connect();

  return {
    api,
    onEvent: (listener) => events.add(listener),
    onConnection: (listener) => {
      listener(state);
      return connection.add(listener);
    },
    close: () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      socket?.close();
      socket = null;
    },
  };
}
