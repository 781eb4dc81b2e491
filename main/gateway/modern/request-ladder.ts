// Which era a POST belongs to, and the checks a modern request passes before anything is dispatched (spec
// 2026-07-28, basic/transports/streamable-http "Request Metadata"; security tests T12, T55, T56). The era decision
// and the first rungs are the SDK's own `classifyInboundRequest`: body-primary, so a request whose `_meta` names a
// version is modern whatever its headers say, and a header that contradicts the body is refused rather than
// believed. The rungs the SDK keeps to its own HTTP entry (version support, required headers, `Mcp-Name`) follow
// here in the SDK's order, so the gateway answers as an SDK server would.
import type { IncomingHttpHeaders } from 'node:http';
import {
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
  classifyInboundRequest,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageClassification,
  type RequestId,
} from '@modelcontextprotocol/server';
import { GATEWAY_PROTOCOL_VERSIONS, LEGACY_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS } from './protocol-eras.ts';
import { decodeHeaderValue } from '../../protocol/param-headers.ts';

/** `HeaderMismatch`: a mirrored header is missing or contradicts the body (2026-07-28, basic/index "Error Codes"). */
export const HEADER_MISMATCH = -32020;

export interface ModernRequest {
  readonly kind: 'modern';
  readonly messageKind: 'request';
  readonly message: JSONRPCRequest;
  readonly classification: MessageClassification;
  /** The version the request's `_meta` names; always one the gateway serves. */
  readonly version: string;
}

export interface ModernNotification {
  readonly kind: 'modern';
  readonly messageKind: 'notification';
  readonly message: JSONRPCNotification;
}

export interface LadderRejection {
  readonly kind: 'reject';
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
  /** The id of the refused request when it has one, so the client can match the error (never a notification's). */
  readonly id: RequestId | null;
}

export type EraVerdict = { readonly kind: 'legacy' } | ModernRequest | ModernNotification | LadderRejection;

/** Which body member `Mcp-Name` mirrors, per method (2026-07-28, streamable-http "Standard Request Headers"). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

/** Classifies a parsed POST body. A batch is legacy, or refused when it holds a modern request (-32600). */
export function classifyPost(headers: IncomingHttpHeaders, body: unknown): EraVerdict {
  const protocolVersionHeader = single(headers['mcp-protocol-version']);
  const mcpMethodHeader = single(headers['mcp-method']);
  const mcpNameHeader = single(headers['mcp-name']);
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader,
    mcpMethodHeader,
    mcpNameHeader,
    body,
  });
  const id = requestIdOf(body);
  switch (outcome.kind) {
    case 'legacy':
      return { kind: 'legacy' };
    case 'reject':
      return {
        kind: 'reject',
        status: outcome.httpStatus,
        code: outcome.code,
        message: outcome.message,
        data: outcome.data,
        id,
      };
    case 'modern':
      break;
  }
  if (outcome.messageKind === 'notification') {
    return { kind: 'modern', messageKind: 'notification', message: outcome.message };
  }

  const requested = outcome.classification.revision;
  if (requested === undefined || !MODERN_PROTOCOL_VERSIONS.includes(requested)) {
    return unsupportedVersion(requested ?? String(metaVersion(outcome.message.params)), id);
  }
  const missing = missingStandardHeader(protocolVersionHeader, mcpMethodHeader, outcome.message);
  if (missing !== null) return mismatch(missing.header, missing.detail, id);
  const named = checkMcpName(mcpNameHeader, outcome.message);
  if (named !== null) return mismatch('Mcp-Name', named, id);
  return {
    kind: 'modern',
    messageKind: 'request',
    message: outcome.message,
    classification: outcome.classification,
    version: requested,
  };
}

/**
 * -32022 with `data.supported`: every version the gateway speaks, as `server/discover` lists them. A modern
 * envelope naming a legacy version is refused too: those versions are spoken through `initialize` sessions.
 */
export function unsupportedVersion(requested: string, id: RequestId | null): LadderRejection {
  return {
    kind: 'reject',
    status: 400,
    code: ProtocolErrorCode.UnsupportedProtocolVersion,
    message:
      `Unsupported protocol version "${requested}": requests carrying a _meta envelope are served at ` +
      `${MODERN_PROTOCOL_VERSIONS.join(', ')}; ${LEGACY_PROTOCOL_VERSIONS.join(', ')} through an initialize session`,
    data: { supported: [...GATEWAY_PROTOCOL_VERSIONS], requested },
    id,
  };
}

/** -32020 on HTTP 400, naming the header and what the body says instead (the SDK's `data.mismatch` shape). */
export function mismatch(header: string, detail: string, id: RequestId | null): LadderRejection {
  return {
    kind: 'reject',
    status: 400,
    code: HEADER_MISMATCH,
    message: `Header mismatch: ${detail}`,
    data: { mismatch: { header, body: detail } },
    id,
  };
}

function missingStandardHeader(
  version: string | undefined,
  method: string | undefined,
  message: JSONRPCRequest,
): { header: string; detail: string } | null {
  if (version === undefined) {
    return {
      header: 'MCP-Protocol-Version',
      detail: `the required MCP-Protocol-Version header is missing (the body names ${String(metaVersion(message.params))})`,
    };
  }
  if (method === undefined) {
    return {
      header: 'Mcp-Method',
      detail: `the required Mcp-Method header is missing (the body names ${message.method})`,
    };
  }
  return null;
}

/** Null when `Mcp-Name` agrees with the body; else why it does not. A `=?base64?…?=` value is decoded first. */
function checkMcpName(header: string | undefined, message: JSONRPCRequest): string | null {
  const field = NAME_SOURCE[message.method];
  if (field === undefined) return null;
  const params = message.params as Record<string, unknown> | undefined;
  const body = typeof params?.[field] === 'string' ? (params[field] as string) : undefined;
  if (header === undefined) {
    return body === undefined ? null : `the required Mcp-Name header is missing (the body names ${field} "${body}")`;
  }
  const decoded = decodeHeaderValue(header);
  if (decoded === undefined) return 'the Mcp-Name header carries an invalid =?base64?…?= value';
  if (body !== undefined && decoded !== body) {
    return `Mcp-Name header value "${decoded}" does not match body ${field} "${body}"`;
  }
  return null;
}

function metaVersion(params: unknown): unknown {
  const meta = (params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  return meta?.[PROTOCOL_VERSION_META_KEY];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function requestIdOf(body: unknown): RequestId | null {
  if (body === null || typeof body !== 'object' || !('method' in body) || !('id' in body)) return null;
  const id = (body as { id: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
