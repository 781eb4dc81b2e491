// How resource URIs are named on the aggregated endpoint. A URI that only one server offers keeps its own form
// (`file:///notes.md` stays `file:///notes.md`), so clients that understand a scheme still do; a URI that two
// servers offer is exposed once per server in a namespaced form that wraps the original unchanged:
//   switchboard+<server>+<uri>   when the original starts with a scheme (`switchboard+docs+file:///notes.md`)
//   switchboard+<server>:<uri>   when it does not
// Both are valid URIs, and unwrapping them is exact (server names cannot contain "+" or ":"), so the namespaced
// form of a template is still a template and a client can fill it in. Templates are compared by shape: the
// literal text before the first expression and after the last, which is enough to tell when two servers' URIs
// could meet (it errs towards namespacing, never towards routing to the wrong server).
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { SERVER_NAME_PATTERN } from '../../config/schema.ts';

export const NAMESPACE_PREFIX = 'switchboard+';

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const NAMESPACED = /^switchboard\+([a-z0-9-]{1,32})[+:]/i;

/** The namespaced form of one server's URI (or URI template). */
export function namespacedUri(server: string, uri: string): string {
  return `${NAMESPACE_PREFIX}${server}${HAS_SCHEME.test(uri) ? '+' : ':'}${uri}`;
}

/** The server and original URI behind a namespaced form, or null when `uri` is not one. */
export function parseNamespacedUri(uri: string): { server: string; uri: string } | null {
  const match = NAMESPACED.exec(uri);
  if (match === null || !SERVER_NAME_PATTERN.test(match[1]!)) return null;
  return { server: match[1]!, uri: uri.slice(match[0].length) };
}

/** True for any URI that reads as a namespaced form; a server's own URI like that is always wrapped again. */
export function looksNamespaced(uri: string): boolean {
  return uri.slice(0, NAMESPACE_PREFIX.length).toLowerCase() === NAMESPACE_PREFIX;
}

/** The literal ends of a URI template; a URI without expressions is its own prefix and suffix. */
export interface TemplateShape {
  readonly template: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly literal: boolean;
}

export function templateShape(template: string): TemplateShape {
  const open = template.indexOf('{');
  const close = template.lastIndexOf('}');
  if (open === -1 || close < open) return { template, prefix: template, suffix: template, literal: true };
  return { template, prefix: template.slice(0, open), suffix: template.slice(close + 1), literal: false };
}

/** Whether `uri` could be an expansion of the template (a cheap test that never misses a real match). */
export function mayMatch(shape: TemplateShape, uri: string): boolean {
  if (shape.literal) return uri === shape.template;
  return (
    uri.length >= shape.prefix.length + shape.suffix.length &&
    uri.startsWith(shape.prefix) &&
    uri.endsWith(shape.suffix)
  );
}

/** Whether `uri` is an expansion of the template by RFC 6570 matching (the SDK's, as servers built on it use). */
export function matchesTemplate(shape: TemplateShape, uri: string): boolean {
  if (!mayMatch(shape, uri)) return false;
  if (shape.literal) return true;
  try {
    return new UriTemplate(shape.template).match(uri) !== null;
  } catch {
    // A template the SDK cannot parse still matches by shape: better an ambiguity error than a wrong server.
    return true;
  }
}

/** Whether two templates could expand to the same URI. */
export function mayOverlap(a: TemplateShape, b: TemplateShape): boolean {
  if (a.literal) return mayMatch(b, a.template);
  if (b.literal) return mayMatch(a, b.template);
  const prefixes = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
  const suffixes = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
  return prefixes && suffixes;
}
