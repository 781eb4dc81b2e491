// One fetch of the team document: a conditional GET (If-None-Match with the last ETag), one deadline for the whole
// exchange so a hang or a trickled body ends, a cap on the body read (never buffered past it), and redirects
// followed only within the endpoint's own origin: a hop to another host could serve anyone's feed (T89). The
// connection goes through the guarded fetch, so no redirect or DNS answer reaches a metadata address.
import { guardedFetch, type FetchLike } from '../net/guarded-fetch.ts';

/** No team document comes near this; a body past it is refused unread. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 3;

export type FetchOutcome =
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'document'; readonly text: string; readonly etag: string | null }
  | { readonly kind: 'failed'; readonly message: string };

export interface FetchRequest {
  readonly url: string;
  readonly etag: string | null;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
}

export function documentFetcher(fetchImpl: FetchLike = guardedFetch({ rule: 'no-metadata' })) {
  return async (request: FetchRequest): Promise<FetchOutcome> => {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const origin = new URL(request.url).origin;
    let url = request.url;
    try {
      for (let hop = 0; ; hop += 1) {
        const response = await fetchImpl(url, {
          headers: {
            accept: 'application/jose, text/plain',
            ...(request.etag === null ? {} : { 'if-none-match': request.etag }),
          },
          redirect: 'manual',
          signal,
        });
        if (response.status === 304) {
          await response.body?.cancel().catch(() => {});
          return { kind: 'not-modified' };
        }
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel().catch(() => {});
          const next = new URL(location, url);
          if (next.origin !== origin) {
            return failed(
              `${url} redirected to another host (${next.origin}); only redirects within ${origin} are followed`,
            );
          }
          if (hop >= MAX_REDIRECTS) return failed(`${request.url} redirected more than ${MAX_REDIRECTS} times`);
          url = next.href;
          continue;
        }
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => {});
          return failed(`${url} answered HTTP ${response.status}`);
        }
        const body = await readCapped(response, request.maxBytes ?? MAX_DOCUMENT_BYTES);
        if (!body.ok) return failed(`${url}: ${body.error}`);
        return { kind: 'document', text: body.text, etag: response.headers.get('etag') };
      }
    } catch (error) {
      if (signal.aborted) return failed(`${url} did not send the whole document within ${request.timeoutMs} ms`);
      const cause = (error as Error).cause as Error | undefined;
      return failed(`${url} could not be fetched: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
    }
  };
}

async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { ok: false, error: `the document is ${declared} bytes; at most ${maxBytes} are accepted` };
  }
  if (response.body === null) return { ok: true, text: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, error: `the document is larger than ${maxBytes} bytes, the most accepted` };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

function failed(message: string): FetchOutcome {
  return { kind: 'failed', message };
}
