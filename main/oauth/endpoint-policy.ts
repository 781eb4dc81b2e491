// Which URLs an OAuth flow toward a remote server may touch (T70) and which it may open in a browser (T68).
// Discovery hands us URLs from documents the remote server controls; without these checks a malicious server could
// point the gateway's token requests at 169.254.169.254 or at a service on the user's LAN, or make it open
// `javascript:` or `file:` URLs.
import { isIP } from 'node:net';
import { classifyAddress, type AddressRule } from '../net/address-policy.ts';

export interface EndpointContext {
  /** The configured MCP server's origin: its own endpoints may be anywhere the server itself is. */
  readonly serverOrigin: string;
  /** Lets OAuth endpoints live on private or loopback addresses (an in-house authorization server). */
  readonly allowPrivateNetwork: boolean;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  return isIP(bare) !== 0 && /^(127\.|::1$|::ffff:127\.)/.test(bare);
}

/** Null when an OAuth endpoint (metadata, registration, authorization, token) may be used; else why not. */
export function endpointRefusal(raw: string, context: EndpointContext): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.origin === context.serverOrigin) return null;
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname))
      return `${url.origin} is plain http to another host; OAuth endpoints must be https`;
    if (!context.allowPrivateNetwork) {
      return `${url.origin} is a loopback address other than the server's own; set "oauth.allowPrivateNetwork" to allow it`;
    }
    return null;
  }
  if (url.protocol !== 'https:') return `${url.protocol} URLs are not allowed for OAuth endpoints`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const kind = classifyAddress(host);
    if (kind === 'metadata') return `${url.origin} is a link-local or cloud-metadata address`;
    if (kind === 'internal' && !context.allowPrivateNetwork) {
      return `${url.origin} is a private or loopback address; set "oauth.allowPrivateNetwork" to allow it`;
    }
  }
  return null;
}

/** The address rule for a request of the flow: the server's own origin as configured, others public only. */
export function addressRuleFor(url: URL, context: EndpointContext): AddressRule {
  if (url.origin === context.serverOrigin || context.allowPrivateNetwork) return 'no-metadata';
  return 'public-only';
}

/** Null when an authorization URL may be opened in a browser: https, or http to this machine; nothing else. */
export function authorizationUrlRefusal(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the authorization URL is not a URL';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  return `refused to open ${url.protocol === 'http:' ? `plain http to ${url.host}` : `a ${url.protocol} URL`}: authorization pages must be https`;
}
