// Checks that run before a request body is read: where the request comes from (Origin, Host) and what it says it
// carries (Content-Type, Accept). DNS rebinding lets any web page reach 127.0.0.1, so Origin is checked on every
// request by the gateway itself (security tests T8, T9, T11).
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type GuardFailure = { readonly status: number; readonly message: string };

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export interface OriginPolicy {
  /** Hosts (with port) a request may name in `Host`: the loopback names with the gateway's port. */
  readonly allowedHosts: ReadonlySet<string>;
  /** `gateway.publicHosts`: names an ingress forwards; one without a port matches any port. */
  readonly publicHosts: ReadonlySet<string>;
  /**
   * Bound beyond loopback: a Host that is an IP address is accepted too (a probe or a peer dialling the pod's
   * address). DNS rebinding always carries the attacker's own host name, never an IP literal.
   */
  readonly addressHosts: boolean;
  readonly allowedOrigins: ReadonlySet<string>;
}

export function originPolicy(
  bindHost: string,
  port: number,
  extraOrigins: readonly string[],
  publicHosts: readonly string[] = [],
): OriginPolicy {
  const own = LOOPBACK_HOSTS.map((h) => `${h}:${port}`);
  return {
    allowedHosts: new Set(own),
    publicHosts: new Set(publicHosts.map((h) => h.toLowerCase())),
    addressHosts: !isLoopbackHost(bindHost),
    allowedOrigins: new Set([
      ...own.map((h) => `http://${h}`),
      // TLS ends at the ingress, so a browser on a public name speaks https.
      ...publicHosts.map((h) => `https://${h.toLowerCase()}`),
      ...extraOrigins.map((o) => o.replace(/\/$/, '')),
    ]),
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

export function checkOrigin(req: IncomingMessage, policy: OriginPolicy): GuardFailure | null {
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.allowedOrigins.has(origin)) {
    return { status: 403, message: `Forbidden: origin ${JSON.stringify(origin)} is not allowed` };
  }
  const host = req.headers.host;
  if (host === undefined || !hostAllowed(host.toLowerCase(), policy)) {
    return { status: 403, message: `Forbidden: host ${JSON.stringify(host ?? '')} is not this gateway` };
  }
  return null;
}

function hostAllowed(host: string, policy: OriginPolicy): boolean {
  if (policy.allowedHosts.has(host) || policy.publicHosts.has(host)) return true;
  const name = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(host)?.[1] ?? '';
  if (policy.publicHosts.has(name)) return true;
  return policy.addressHosts && isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}

/** Parsed Accept and Content-Type values: a client sends the same few with every request. */
const parsedMediaTypes = new Map<string, readonly string[]>();
const MEDIA_TYPES_KEPT = 64;
const MEDIA_TYPE_CHARS_KEPT = 256;

function mediaTypes(header: string | undefined): readonly string[] {
  const value = header ?? '';
  const known = parsedMediaTypes.get(value);
  if (known !== undefined) return known;
  const parsed = value.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  if (value.length > MEDIA_TYPE_CHARS_KEPT) return parsed;
  if (parsedMediaTypes.size >= MEDIA_TYPES_KEPT) parsedMediaTypes.clear();
  parsedMediaTypes.set(value, parsed);
  return parsed;
}

export function checkPostHeaders(req: IncomingMessage): GuardFailure | null {
  const contentType = mediaTypes(req.headers['content-type'])[0];
  if (contentType !== 'application/json') {
    return { status: 415, message: 'Unsupported Media Type: Content-Type must be application/json' };
  }
  const accept = mediaTypes(req.headers.accept);
  const any = accept.includes('*/*');
  if (!any && !(accept.includes('application/json') && accept.includes('text/event-stream'))) {
    return { status: 406, message: 'Not Acceptable: Accept must include application/json and text/event-stream' };
  }
  return null;
}

export function checkGetHeaders(req: IncomingMessage): GuardFailure | null {
  if (!mediaTypes(req.headers.accept).includes('text/event-stream')) {
    return { status: 406, message: 'Not Acceptable: Accept must include text/event-stream' };
  }
  return null;
}

/**
 * The request's path without its query string: the only form of the URL that may reach a log or the audit trail,
 * since a query string can carry a token a client put there by mistake (T3, T49).
 */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The bearer token, read only from `Authorization: Bearer` (never a query string or cookie: T49). */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}
