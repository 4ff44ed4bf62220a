import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// Addresses a notification must never reach: link-local (which holds the cloud metadata
// services at 169.254.169.254 and friends), the other clouds' metadata endpoints, "any".
const BLOCKED = new BlockList();
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
BLOCKED.addSubnet('fe80::', 10, 'ipv6');
BLOCKED.addAddress('100.100.100.200', 'ipv4');
BLOCKED.addAddress('fd00:ec2::254', 'ipv6');
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
BLOCKED.addAddress('::', 'ipv6');
const BLOCKED_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** True for an address no notification may go to. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family === 6) return BLOCKED.check(bare, 'ipv6');
  return false;
}

/** True for a host name or address literal refused before any lookup. */
export function isBlockedHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return BLOCKED_HOSTS.has(h) || isBlockedAddress(h);
}

/** Why an outgoing URL is refused, or null when it may be used. */
export function outgoingUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.hostname === '') return 'must name a host';
  if (isBlockedHost(url.hostname)) {
    return 'must not point at a link-local or cloud metadata address';
  }
  return null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request and net.connect that refuses blocked addresses after resolution,
 * so a name that resolves (or is re-pointed) to the metadata service is refused too.
 */
export function guardedLookup(hostname: string, options: LookupOptions, cb: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, '');
    const list = addresses;
    const bad = list.find((a) => isBlockedAddress(a.address));
    if (bad || list.length === 0) {
      const e: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${bad?.address ?? 'nothing'}, which notifications may not reach`,
      );
      e.code = 'EBLOCKED';
      return cb(e, '');
    }
    if (options.all) return cb(null, list);
    cb(null, list[0].address, list[0].family);
  });
}

/** Resolves a host once, refusing blocked addresses (for SMTP, which takes no lookup hook). */
export function resolveAllowed(hostname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (isBlockedHost(hostname)) {
      reject(new Error(`${hostname} is a link-local or cloud metadata address`));
      return;
    }
    guardedLookup(hostname, {}, (err, address) => (err ? reject(err) : resolve(address as string)));
  });
}
