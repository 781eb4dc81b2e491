// The fetch the gateway's own authentication uses to reach an identity service (a JWT issuer's key set, the team
// server's /members/me): held to the address policy (never a link-local or cloud metadata address, main/net/),
// bounded in time by the caller's signal and in size here, so a slow or huge answer cannot hold a request or the
// heap. The answer comes back as a Response over the bytes read.
import { guardedFetch, type FetchLike } from '../../net/guarded-fetch.ts';

/** The most an identity service's answer may hold. A key set of a few dozen keys is a few KiB. */
export const MAX_ANSWER_BYTES = 256 * 1024;

export class AnswerTooLargeError extends Error {
  constructor(url: string, limit: number) {
    super(`the answer of ${new URL(url).origin} is larger than ${limit} bytes`);
    this.name = 'AnswerTooLargeError';
  }
}

/** A fetch whose body is read here, at most `limit` bytes; `base` is the guarded fetch unless a test gives one. */
export function boundedFetch(options: { readonly limit?: number; readonly base?: FetchLike } = {}): FetchLike {
  const limit = options.limit ?? MAX_ANSWER_BYTES;
  const base = options.base ?? guardedFetch({ rule: 'no-metadata' });
  return async (input, init) => {
    const response = await base(input, init);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > limit) {
      await response.body?.cancel().catch(() => {});
      throw new AnswerTooLargeError(String(input), limit);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    for (;;) {
      if (reader === undefined) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new AnswerTooLargeError(String(input), limit);
      }
      chunks.push(value);
    }
    return new Response(Buffer.concat(chunks), { status: response.status, headers: response.headers });
  };
}
