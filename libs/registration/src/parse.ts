import { classify } from './classify.ts';
import { normalise } from './normalise.ts';
import { InvalidRegistrationError, type Rejection, reject } from './rejection.ts';
import type { Registration } from './style.ts';

export interface ParseOptions {
  /** The clock, for deciding which age identifiers are on sale yet. Defaults to now. */
  now?: Date;
}

export type ParseResult = { ok: true; value: Registration } | Rejection;

// No style is longer than seven characters.
const MAX_LENGTH = 7;
// Raw input longer than this cannot be a mark however it is spaced; refusing it before
// normalising keeps the cost of hostile input small.
const MAX_RAW_LENGTH = 64;
const NOT_PLAIN = /[^A-Z0-9]/u;

/** Normalises, classifies and formats a typed registration, or says why it is not one. */
export function parseRegistration(input: string, options: ParseOptions = {}): ParseResult {
  const now = clock(options);
  if (input.length > MAX_RAW_LENGTH) return tooLong();

  const normalised = normalise(input);
  const rejection = checkCharacters(normalised);
  if (rejection !== undefined) return rejection;

  const result = classify(normalised, now);
  if (!result.ok) return result;
  return { ok: true, value: { normalised, display: result.display, style: result.style } };
}

/**
 * The display form of a registration, for values already known to be valid (a stored
 * plate, say). Throws InvalidRegistrationError otherwise; use parseRegistration for input.
 */
export function format(registration: string, options: ParseOptions = {}): string {
  const result = parseRegistration(registration, options);
  if (!result.ok) throw InvalidRegistrationError.fromRejection(registration, result);
  return result.value.display;
}

function checkCharacters(normalised: string): Rejection | undefined {
  if (normalised === '') return reject('empty', 'no letters or digits were given');
  const bad = NOT_PLAIN.exec(normalised);
  if (bad !== null) {
    return reject('bad_characters', `${bad[0]} is not allowed: only A to Z and 0 to 9 are`);
  }
  if (normalised.length > MAX_LENGTH) return tooLong();
  return undefined;
}

function tooLong(): Rejection {
  return reject('too_long', `a registration has at most ${MAX_LENGTH} letters and digits`);
}

function clock(options: ParseOptions): Date {
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new RangeError('options.now is an invalid Date');
  return now;
}
