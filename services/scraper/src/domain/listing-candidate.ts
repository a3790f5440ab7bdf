import { lookalikeKey, parseRegistration, type RegistrationStyle } from '@reggie/registration';
import type { RawListing } from './parse-page.ts';
import { parsePrice } from './price.ts';

/** A dealer listing ready to store: a valid mark and a price in pence, or null for POA. */
export interface ListingCandidate {
  registration: string;
  display: string;
  style: RegistrationStyle;
  lookalike: string;
  price: number | null;
  url: string;
}

export type CandidateResult =
  | { ok: true; candidate: ListingCandidate }
  | { ok: false; reason: 'invalid_registration' | 'invalid_price'; detail: string };

/** The full DVLA style check, as a screen for the page parser. */
export function isValidRegistration(raw: string): boolean {
  return parseRegistration(raw).ok;
}

/**
 * Turns what a page showed into a listing. The page parser has already dropped blanks
 * and duplicates; here the mark must fit a DVLA style and the price must read as money
 * or as "price on application".
 */
export function toCandidate(raw: RawListing, now: Date): CandidateResult {
  const parsed = parseRegistration(raw.registrationRaw, { now });
  if (!parsed.ok) {
    return { ok: false, reason: 'invalid_registration', detail: raw.registrationRaw };
  }
  const price = parsePrice(raw.priceRaw);
  if (price.kind === 'invalid') {
    return { ok: false, reason: 'invalid_price', detail: `${raw.priceRaw} (${price.reason})` };
  }

  const { normalised, display, style } = parsed.value;
  return {
    ok: true,
    candidate: {
      registration: normalised,
      display,
      style,
      lookalike: lookalikeKey(normalised),
      price: price.kind === 'pence' ? price.pence : null,
      url: raw.url,
    },
  };
}
