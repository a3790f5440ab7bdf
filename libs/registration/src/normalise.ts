// Whatever people put between the characters of a mark when they type or paste it:
// whitespace and space separators of every script, dashes, underscores, quotation marks, dots,
// commas, colons, slashes and middle dots, and invisible format characters such as
// zero-width spaces. Other punctuation and symbols (!, *, £) are kept so that validation
// rejects them rather than quietly reading a different string as a mark.
const SEPARATORS = /[\p{White_Space}\p{Cf}\p{Pd}\p{Pc}\p{Pi}\p{Pf}.,:;/\\'"\u00b7\u2022\u2027]/gu;

/**
 * Upper-cases a typed or pasted registration and removes every separator. It does not
 * validate: the result may still fit no DVLA style.
 */
export function normalise(input: string): string {
  // NFKC first folds full-width and other compatibility forms (Ａ, １) onto plain letters
  // and digits. It runs again at the end because upper-casing can decompose a character
  // (ΐ becomes three code points) and stripping can bring a base and its combining mark
  // together; without the second pass normalise would not be idempotent.
  return input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '').normalize('NFKC');
}
