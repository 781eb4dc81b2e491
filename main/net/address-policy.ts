// Which network addresses a connection may reach. Checked on resolved addresses (after DNS) and on IP literals,
// however they are spelled: the WHATWG URL parser already turns `2130706433` and `0x7f000001` into 127.0.0.1,
// and IPv4-mapped IPv6 addresses (`::ffff:169.254.169.254`) are judged as the IPv4 address they carry.
import { BlockList, isIP } from 'node:net';

/** Link-local ranges and cloud metadata endpoints: never a place for an MCP server, always a place to steal from. */
const METADATA = new BlockList();
METADATA.addSubnet('169.254.0.0', 16, 'ipv4');
METADATA.addSubnet('fe80::', 10, 'ipv6');
METADATA.addAddress('fd00:ec2::254', 'ipv6');
// Alibaba Cloud's metadata service sits outside link-local.
METADATA.addAddress('100.100.100.200', 'ipv4');

/** Private, loopback and unspecified ranges, refused for OAuth endpoints that are not the server's own origin. */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv4');
}
INTERNAL.addAddress('::1', 'ipv6');
INTERNAL.addAddress('::', 'ipv6');
INTERNAL.addSubnet('fc00::', 7, 'ipv6');

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged, without brackets. */
export function unmapped(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped !== null) return mapped[1]!;
  // The hex spelling of a mapped address, as URL parsing normalises it: ::ffff:a9fe:a9fe.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (hex !== null) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return bare;
}

/** Whether an IP address (any spelling, mapped or bracketed) is this machine's: 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(address: string): boolean {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 4) return ip.startsWith('127.');
  // URL parsing and DNS answers both spell the IPv6 loopback `::1`.
  return family === 6 && ip === '::1';
}

export type AddressClass = 'metadata' | 'internal' | 'public';

export function classifyAddress(address: string): AddressClass {
  const ip = unmapped(address);
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (METADATA.check(ip, family)) return 'metadata';
  if (INTERNAL.check(ip, family)) return 'internal';
  return 'public';
}

/** What a connection may reach: `metadata` refuses link-local and metadata addresses; `public` refuses internal ones too. */
export type AddressRule = 'any' | 'no-metadata' | 'public-only';

/** Null when `address` is allowed under `rule`, else why not. */
export function refusal(address: string, rule: AddressRule): string | null {
  if (rule === 'any') return null;
  const kind = classifyAddress(address);
  if (kind === 'metadata') return `${address} is a link-local or cloud-metadata address`;
  if (kind === 'internal' && rule === 'public-only') return `${address} is a private or loopback address`;
  return null;
}
