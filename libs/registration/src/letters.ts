import { type Rejection, reject } from './rejection.ts';

/**
 * Returns a rejection when `letters` holds one of `forbidden`, naming the first offender
 * and where it sits, so a reason reads like "Z is never used in a memory tag".
 */
export function forbidLetters(
  letters: string,
  forbidden: string,
  place: string,
): Rejection | undefined {
  const offender = [...letters].find((letter) => forbidden.includes(letter));
  if (offender === undefined) return undefined;
  return reject('invalid_letters', `${offender} is never used ${place}`);
}

/** Digit groups of the older styles run from 1 upwards; DVLA never issues a leading 0. */
export function forbidLeadingZero(digits: string): Rejection | undefined {
  if (!digits.startsWith('0')) return undefined;
  return reject('leading_zero', `the number ${digits} starts with 0, which is never issued`);
}
