/**
 * Reads an asking price as dealers print it. Amounts are worked out on digit strings,
 * so `£1,250.10` is exactly 125010 pence with no floating-point rounding on the way.
 *
 * Accepted: `£1,250`, `1250.00`, `£1,250.50`, `GBP 950`, `950 GBP`, `£1.2k` (thousands,
 * common in the trade for round asking prices), with optional lead-ins such as
 * "from" or "offers over" and trailers such as "+ VAT" or "ONO". POA-style phrases
 * ("POA", "Price on application", "Offers", "Call") mean the dealer names no price.
 * Anything else is invalid, with a reason, rather than guessed at.
 */
export type ParsedPrice =
  | { kind: 'pence'; pence: number }
  | { kind: 'poa' }
  | { kind: 'invalid'; reason: PriceInvalidReason };

export type PriceInvalidReason =
  | 'empty'
  | 'sold'
  | 'foreign_currency'
  | 'malformed_amount'
  | 'zero'
  | 'too_large'
  | 'unrecognised';

/** No plate has sold for anything near this; a bigger number is a parsing accident. */
export const MAX_PRICE_PENCE = 100_000_000 * 100;

const POA_PHRASES = new Set([
  'poa',
  'price on application',
  'price on request',
  'por',
  'offers',
  'offers invited',
  'make an offer',
  'call',
  'call for price',
  'contact us',
  'enquire',
  'ask',
]);
const SOLD_PHRASES = new Set(['sold', 'sold out', 'under offer', 'reserved']);
const LEAD_INS =
  /^(?:from|now|only|price|asking|offers? (?:over|around|in excess of)|oiro|ovno|oieo)\s*:?\s*/;
const TRAILERS = /\s*(?:\+\s*vat|inc\.? vat|incl\.? vat|ex\.? vat|ono|o\.n\.o\.?|ovno|each)$/;
const FOREIGN = /[$€¥]|\b(?:usd|eur|euro|euros|dollars?)\b/;
const AMOUNT = /^(?:£|gbp)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(k)?(?:\s*(?:gbp|pounds?))?$/;

/** Parses one price text. Never throws. */
export function parsePrice(raw: string): ParsedPrice {
  const text = tidy(raw);
  if (text === '') return invalid('empty');
  const words = text.replace(/[.!]/g, '').trim();
  if (POA_PHRASES.has(words)) return { kind: 'poa' };
  if (SOLD_PHRASES.has(words)) return invalid('sold');
  if (FOREIGN.test(text)) return invalid('foreign_currency');

  const match = AMOUNT.exec(stripWords(text));
  if (!match) return invalid(/\d/.test(text) ? 'malformed_amount' : 'unrecognised');
  const [, whole = '', fraction, thousands] = match;
  return toPence(whole.replaceAll(',', ''), fraction, thousands !== undefined);
}

function toPence(whole: string, fraction: string | undefined, thousands: boolean): ParsedPrice {
  // With "k" the fraction is of thousands: three digits still land on whole pounds.
  const places = thousands ? 3 : 2;
  if (fraction !== undefined && fraction.length > places) {
    return invalid('malformed_amount');
  }
  const digits = whole.replace(/^0+(?=\d)/, '') + (fraction ?? '').padEnd(places, '0');
  if (digits.length > 15) return invalid('too_large');

  const pence = Number(digits) * (thousands ? 100 : 1);
  if (pence === 0) return invalid('zero');
  if (pence > MAX_PRICE_PENCE) return invalid('too_large');
  return { kind: 'pence', pence };
}

function tidy(raw: string): string {
  return raw
    .replace(/[\s\u00a0\u2009\u202f]+/g, ' ')
    .trim()
    .toLowerCase();
}

function stripWords(text: string): string {
  return text.replace(LEAD_INS, '').replace(TRAILERS, '').trim();
}

function invalid(reason: PriceInvalidReason): ParsedPrice {
  return { kind: 'invalid', reason };
}
