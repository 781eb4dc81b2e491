// A fetch for connections to remote servers that will not be turned against the machine it runs on (T69) and
// does not carry credentials to a host they were not configured for (T33).
// - Every address is checked after DNS resolution, and the connection is made to the address that was checked:
//   the lookup that vets it is the lookup the socket uses, so a resolver that answers differently the second
//   time changes nothing. IP literals are checked before anything is sent.
// - Redirects are followed here, hop by hop (at most 5), each hop vetted like the first. A hop to another origin
//   (host, scheme or port) drops Authorization, Cookie and every header the server's config set.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type * as Undici from 'undici';
import type { Agent, RequestInit as UndiciRequestInit } from 'undici';
import { refusal, type AddressRule } from './address-policy.ts';

const MAX_REDIRECTS = 5;
const ALWAYS_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

/** undici is loaded with the first remote request: a gateway of stdio servers never pays its ~25 MB. */
let undici: Promise<typeof Undici> | null = null;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

export class BlockedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface GuardedFetchOptions {
  readonly rule: AddressRule;
  /** A rule per request URL (e.g. stricter for OAuth endpoints than for the server itself); `rule` otherwise. */
  readonly ruleFor?: (url: URL) => AddressRule;
  /** Header names (any case) set from the server's config; dropped on a hop to another origin. */
  readonly configuredHeaders?: readonly string[];
  /** Resolves host names; the system resolver unless a test gives one. */
  readonly resolve?: (host: string) => Promise<LookupAddress[]>;
  /** Told of every refusal, since transports may wrap the error beyond recognition (the SSE transport does). */
  readonly onBlocked?: (error: BlockedAddressError) => void;
}

function systemResolve(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

/** A lookup for net.connect that refuses the whole answer when any address in it is refused. */
function vettingLookup(rule: AddressRule, resolve: (host: string) => Promise<LookupAddress[]>): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.map((a) => refusal(a.address, rule)).find((r) => r !== null);
        if (refused !== undefined) {
          callback(new BlockedAddressError(`refused to connect to ${hostname}: it resolves to ${refused}`), '', 4);
          return;
        }
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

function checkLiteral(url: URL, rule: AddressRule): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return;
  const refused = refusal(host, rule);
  if (refused !== null) throw new BlockedAddressError(`refused to connect to ${url.origin}: ${refused}`);
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  return Object.fromEntries(new Headers(headers ?? {}).entries());
}

export function guardedFetch(options: GuardedFetchOptions): FetchLike {
  const resolve = options.resolve ?? systemResolve;
  // One connection pool per rule: a socket vetted under a loose rule must never carry a request held to a strict one.
  const agents = new Map<AddressRule, Agent>();
  const dispatcherFor = (rule: AddressRule, loaded: typeof Undici): Agent => {
    let agent = agents.get(rule);
    if (agent === undefined) {
      agent = new loaded.Agent({ connect: { lookup: vettingLookup(rule, resolve) } });
      agents.set(rule, agent);
    }
    return agent;
  };
  const dropOnHop = new Set([...ALWAYS_DROPPED, ...(options.configuredHeaders ?? []).map((h) => h.toLowerCase())]);

  const guarded: FetchLike = async (input, init = {}) => {
    let url = new URL(String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    let headers = headerRecord(init.headers);
    const origin = url.origin;
    const loaded = await loadUndici();
    for (let hop = 0; ; hop += 1) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new BlockedAddressError(`refused to follow a redirect to ${url.protocol} (only http and https)`);
      }
      const rule = options.ruleFor?.(url) ?? options.rule;
      checkLiteral(url, rule);
      const response = (await loaded.fetch(url, {
        ...(init as UndiciRequestInit),
        method,
        headers,
        body: body as UndiciRequestInit['body'],
        redirect: 'manual',
        dispatcher: dispatcherFor(rule, loaded),
      })) as unknown as Response;
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || response.status === 304 || location === null)
        return response;
      // A caller that asked to see redirects (reading an authorization answer) gets them as they are.
      if (init.redirect === 'manual') return response;
      if (hop >= MAX_REDIRECTS) throw new Error(`${String(input)} redirected more than ${MAX_REDIRECTS} times`);
      await response.body?.cancel().catch(() => {});
      const next = new URL(location, url);
      // As fetch does: 303, and 301/302 after a POST, continue as a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('content-')));
      }
      if (next.origin !== origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !dropOnHop.has(k.toLowerCase())));
      }
      url = next;
    }
  };
  return async (input, init) => {
    try {
      return await guarded(input, init);
    } catch (error) {
      for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
        if (e instanceof BlockedAddressError) options.onBlocked?.(e);
      }
      throw error;
    }
  };
}
