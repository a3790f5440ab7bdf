/**
 * Reads a Retry-After header (RFC 9110 section 10.2.3): either whole seconds or an
 * HTTP date. Returns the wait in milliseconds from `now`, 0 for a date already past,
 * and undefined when the header is absent or unreadable, so the caller falls back to
 * its own back-off.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // Only the shapes HTTP dates take (IMF-fixdate, RFC 850, asctime) are accepted, so
  // that "5.5" or "soon" are not quietly read as some date by Date.parse.
  if (!/^[A-Za-z]{3,9},? .*\d{2}:\d{2}:\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
