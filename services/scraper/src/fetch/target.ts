import { isIP } from 'node:net';
import { classifyAddress } from './address-policy.ts';
import type { BlockReason } from './fetcher.ts';

export type TargetCheck =
  | { ok: true; url: URL }
  | { ok: false; reason: BlockReason; detail: string };

/**
 * Checks a URL before any connection is attempted: it must parse, be http(s), carry no
 * credentials and, when its host is an IP literal, be a public address. Host names are
 * checked later, on the address they resolve to, by the guarded lookup.
 */
export function checkTarget(raw: string | URL, allowedHosts: ReadonlySet<string>): TargetCheck {
  const url = typeof raw === 'string' ? (URL.canParse(raw) ? new URL(raw) : undefined) : raw;
  if (!url) return { ok: false, reason: 'invalid_url', detail: String(raw).slice(0, 200) };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'scheme', detail: url.protocol };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'credentials', detail: 'user name or password in URL' };
  }
  return checkLiteralHost(url, allowedHosts);
}

/** Host names compare in lower case, without IPv6 brackets or a trailing root dot. */
export function hostKey(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function checkLiteralHost(url: URL, allowedHosts: ReadonlySet<string>): TargetCheck {
  const host = hostKey(url.hostname);
  if (allowedHosts.has(host) || isIP(host) === 0) return { ok: true, url };
  const kind = classifyAddress(host);
  return kind === 'public'
    ? { ok: true, url }
    : { ok: false, reason: 'address', detail: `${host} is ${kind}` };
}
