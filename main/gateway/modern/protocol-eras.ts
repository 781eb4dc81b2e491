// The protocol versions the gateway speaks, in both eras, and how to tell them apart. Legacy versions are
// negotiated once per session with `initialize` (SDK 1.x); the 2026-07-28 era names its version on every request
// (spec 2026-07-28, basic/versioning). One list answers `server/discover` and every unsupported-version error, so
// a client is never told two different things (conformance check sep-2575-server-unsupported-version-error).
import type { IncomingHttpHeaders } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';

/** The `_meta` key naming a modern request's version (spec 2026-07-28, basic/index "_meta"). */
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** The revisions served statelessly, with the per-request `_meta` envelope. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];

/** The revisions negotiated by `initialize` and served on sessions (SDK 1.x). */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = [...SUPPORTED_PROTOCOL_VERSIONS];

/** Every version the gateway speaks, newest first: the modern ones, then those of `initialize` sessions. */
export const GATEWAY_PROTOCOL_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS];

/** The first revision of the modern era; revision ids are dates, so later ones sort after it. */
const FIRST_MODERN_REVISION = '2026-07-28';

/**
 * True when an `MCP-Protocol-Version` header claims the modern era. The comparison is the SDK's own
 * (`isModernProtocolVersion`): any value sorting at or after 2026-07-28 claims it, including versions the gateway
 * does not speak, which the modern path then refuses with -32022.
 */
export function namesModernRevision(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && header.trim() >= FIRST_MODERN_REVISION;
}

/**
 * Whether a POST could be of the modern era, cheaply, before the modern door (and its SDK) is loaded: it names a
 * version in `_meta` (the body decides the era), or a header claims the modern era (so a missing envelope is
 * refused as the modern ladder would). Anything else is a legacy request.
 */
export function mayBeModern(headers: IncomingHttpHeaders, body: unknown): boolean {
  if (namesModernRevision(headers['mcp-protocol-version'])) return true;
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((message) => {
    const params = (message as { params?: { _meta?: unknown } } | null)?.params;
    const meta = params?._meta;
    return typeof meta === 'object' && meta !== null && Object.hasOwn(meta, PROTOCOL_VERSION_META_KEY);
  });
}
