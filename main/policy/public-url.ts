// Is a URL argument safe to hand to a server that will fetch it (T64)? Only http(s), and only when its host is,
// or resolves only to, public addresses: link-local, cloud-metadata, private and loopback ones are refused, however
// spelled (the URL parser turns `2130706433` and `0x7f000001` into 127.0.0.1; mapped IPv6 is judged as IPv4).
// The server resolves the name again when it fetches, so a name that answers differently the second time (DNS
// rebinding) is not stopped here; a server that fetches for untrusted callers should vet addresses itself.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, unmapped } from '../net/address-policy.ts';

/** Every address a host name resolves to. */
export type Lookup = (host: string) => Promise<string[]>;

export const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Null when the URL may be passed on; otherwise why not. */
export async function publicUrlProblem(raw: string, lookup: Lookup): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http or https URL, not ${url.protocol}`;
  const host = unmapped(url.hostname);
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      return `names a host that cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'}), so it cannot be checked`;
    }
  }
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'metadata') return `reaches ${address}, a link-local or cloud-metadata address`;
    if (kind === 'internal') return `reaches ${address}, a private or loopback address`;
  }
  return null;
}
