// Whatever people put between the characters of a mark when they type or paste it:
// whitespace and space separators of every script, dashes, underscores, quotation marks, dots,
// commas, colons, slashes and middle dots, and invisible format characters such as
// zero-width spaces. Other punctuation and symbols (!, *, £) are kept so that validation
// rejects them rather than quietly reading a different string as a mark.
const SEPARATORS = /[\p{White_Space}\p{Cf}\p{Pd}\p{Pc}\p{Pi}\p{Pf}.,:;/\\'"\u00b7\u2022\u2027]/gu;

// The full-width forms of printable ASCII (U+FF01 to U+FF5E), which East Asian keyboards
// and some PDFs produce: Ａ, １ and ． are the same keys as A, 1 and '.', one block apart.
const FULL_WIDTH = /[\uff01-\uff5e]/g;
const FULL_WIDTH_OFFSET = 0xfee0;
const LOWER_CASE = /[a-z]+/g;

/**
 * Upper-cases a typed or pasted registration and removes every separator. It does not
 * validate: the result may still fit no DVLA style.
 *
 * Only ASCII is case-folded. Unicode upper-casing and compatibility folding turn some
 * characters into other letters (ß into SS, the Roman numeral Ⅳ into IV, the ligature ﬀ
 * into FF, dotless ı into I), which would read a different mark than the one written; such
 * characters are kept, so that validation refuses them.
 */
export function normalise(input: string): string {
  const narrow = input.replace(FULL_WIDTH, (c) =>
    String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_OFFSET),
  );
  return stripSeparators(narrow).replace(LOWER_CASE, (letters) => letters.toUpperCase());
}

// Removing a separator can join two lone surrogates into one code point, which may be a
// separator itself (the tag characters are format characters); stripping again until
// nothing changes keeps normalise idempotent. Each pass removes at least one character.
function stripSeparators(text: string): string {
  let current = text;
  for (;;) {
    const next = current.replace(SEPARATORS, '');
    if (next === current) return current;
    current = next;
  }
}
