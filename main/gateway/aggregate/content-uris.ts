// Resource URIs inside results: resource links and embedded resources in tool results and prompt messages, and
// the contents of a read, are named the way resources/list names them (resource-uris.ts), so a client can read,
// subscribe to or complete whatever a result points at, and a resource link keeps only icons a client may safely
// load (icon-urls.ts, T65). Everything else in a result passes through untouched.
// Results arrive unvalidated (the client-facing Server validates them once), so each step checks the shape it
// touches and leaves anything unexpected as it is.
import { withSafeIcons } from './icon-urls.ts';

/** Maps one server's URI to the form the session sees. */
export type UriMapper = (uri: string) => string;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A content block with its resource URI mapped; any other block is returned as it is. */
export function mapContentBlock(block: unknown, map: UriMapper): unknown {
  if (!isObject(block)) return block;
  if (block.type === 'resource_link' && typeof block.uri === 'string') {
    return withSafeIcons({ ...block, uri: map(block.uri) });
  }
  if (block.type === 'resource' && isObject(block.resource) && typeof block.resource.uri === 'string') {
    return { ...block, resource: { ...block.resource, uri: map(block.resource.uri) } };
  }
  return block;
}

/** A tools/call result with the URIs in its content mapped (structuredContent is the tool's own data: untouched). */
export function mapToolResult<T>(result: T, map: UriMapper): T {
  if (!isObject(result) || !Array.isArray(result.content)) return result;
  return { ...result, content: result.content.map((block) => mapContentBlock(block, map)) } as T;
}

/** A prompts/get result with the URIs in its messages mapped. */
export function mapPromptResult<T>(result: T, map: UriMapper): T {
  if (!isObject(result) || !Array.isArray(result.messages)) return result;
  const messages = result.messages.map((message: unknown) =>
    isObject(message) && 'content' in message
      ? { ...message, content: mapContentBlock(message.content, map) }
      : message,
  );
  return { ...result, messages } as T;
}

/** A resources/read result with each content's URI mapped. */
export function mapReadResult<T>(result: T, map: UriMapper): T {
  if (!isObject(result) || !Array.isArray(result.contents)) return result;
  const contents = result.contents.map((content: unknown) =>
    isObject(content) && typeof content.uri === 'string' ? { ...content, uri: map(content.uri) } : content,
  );
  return { ...result, contents } as T;
}
