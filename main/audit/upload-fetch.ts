// The connection the audit upload makes, held to the address policy (main/net/): never a link-local or cloud
// metadata address, and for a plain-http endpoint only this machine, checked on the addresses DNS gives back,
// so a host name cannot carry unencrypted records and a token off the machine.
import { lookup, type LookupAddress } from 'node:dns';
import { BlockedAddressError, guardedFetch, type FetchLike } from '../net/guarded-fetch.ts';
import { isLoopbackAddress } from '../net/address-policy.ts';

function loopbackOnly(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    lookup(host, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return reject(error);
      const outside = addresses.find((a) => !isLoopbackAddress(a.address));
      if (outside !== undefined) {
        return reject(
          new BlockedAddressError(
            `refused to send audit records over plain http to ${host}: it resolves to ${outside.address}, not this machine; use https://`,
          ),
        );
      }
      resolve(addresses);
    }),
  );
}

export function uploadFetch(url: string): FetchLike {
  const plain = new URL(url).protocol === 'http:';
  return guardedFetch({ rule: 'no-metadata', ...(plain ? { resolve: loopbackOnly } : {}) });
}

/** The address policy's refusal in `error` or its causes (a setup to fix, not a failure to retry), else null. */
export function addressRefusal(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof BlockedAddressError) return e.message;
  }
  return null;
}

/** The innermost message of a network error: undici says "fetch failed" and keeps the reason in `cause`. */
export function networkReason(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    message = e.message;
  }
  return message;
}
