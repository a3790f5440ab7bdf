/**
 * Path normalisation and wildcard matching for robots.txt rules (RFC 9309 section 2.2.2
 * and 2.2.3). Both the rule pattern and the URL path go through the same normalisation
 * so that `/caf%C3%A9`, `/café` and `/caf%c3%a9` compare equal.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const encoder = new TextEncoder();

/**
 * Normalises a URL path (with query) for comparison. Literal `*` and `$` in a URL are
 * encoded so that they can only be matched by a pattern that spells them `%2A`/`%24`.
 */
export function normalisePath(path: string): string {
  return normalise(path, () => false);
}

/**
 * Normalises a rule pattern. `*` stays a wildcard and a final `$` stays the end anchor;
 * everything else is encoded exactly as a path would be.
 */
export function normalisePattern(pattern: string): string {
  const last = pattern.length - 1;
  return normalise(pattern, (char, index) => char === '*' || (char === '$' && index === last));
}

/**
 * True when the normalised pattern matches the normalised path. Without a trailing `$`
 * a pattern matches any path it is a prefix of.
 */
export function patternMatches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : `${pattern}*`;
  return globMatches(body, path);
}

function normalise(input: string, keepSpecial: (char: string, index: number) => boolean): string {
  let out = '';
  let index = 0;
  while (index < input.length) {
    const char = String.fromCodePoint(input.codePointAt(index) ?? 0);
    if (keepSpecial(char, index)) {
      out += char;
    } else if (char === '%' && HEX_PAIR.test(input.slice(index + 1, index + 3))) {
      out += normaliseEscape(input.slice(index + 1, index + 3));
      index += 2;
    } else {
      out += encodeChar(char);
    }
    index += char.length;
  }
  return out;
}

// An escaped unreserved character means the same as the character itself, so it is
// decoded; any other escape is kept with upper-case hex digits.
function normaliseEscape(hex: string): string {
  const char = String.fromCharCode(Number.parseInt(hex, 16));
  return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
}

function encodeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const printable = code > 0x20 && code < 0x7f;
  if (printable && char !== '*' && char !== '$' && char !== '%') return char;
  return Array.from(encoder.encode(char), percent).join('');
}

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

// Iterative glob match with one backtrack point: linear in practice and never
// exponential, unlike a regular expression built from an untrusted pattern.
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
