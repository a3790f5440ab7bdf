import { CURRENT_SHAPE, checkCurrent } from './current.ts';
import { checkPrefix, checkSuffix, PREFIX_SHAPE, SUFFIX_SHAPE } from './dated.ts';
import {
  checkDigitsFirst,
  checkLettersFirst,
  DIGITS_FIRST_SHAPE,
  LETTERS_FIRST_SHAPE,
} from './dateless.ts';
import { type Rejection, reject } from './rejection.ts';
import type { Fit } from './style.ts';

interface Shape {
  pattern: RegExp;
  check: (groups: string[], now: Date) => Fit | Rejection;
}

// The shapes are disjoint (they differ in where letters and digits sit), so a string
// matches at most one and its rules alone decide; no style has to win over another.
const SHAPES: readonly Shape[] = [
  { pattern: CURRENT_SHAPE, check: checkCurrent },
  { pattern: PREFIX_SHAPE, check: checkPrefix },
  { pattern: SUFFIX_SHAPE, check: checkSuffix },
  { pattern: LETTERS_FIRST_SHAPE, check: checkLettersFirst },
  { pattern: DIGITS_FIRST_SHAPE, check: checkDigitsFirst },
];

const NO_STYLE =
  'fits no DVLA style: expected a mark like AB12 CDE, A123 BCD, ABC 123D, ABC 1234 or 1234 AB';

/** Classifies a normalised string of A-Z and 0-9 against every DVLA style. */
export function classify(normalised: string, now: Date): Fit | Rejection {
  for (const { pattern, check } of SHAPES) {
    const match = pattern.exec(normalised);
    if (match === null) continue;

    // Q appears only on Q plates, issued to vehicles of unknown age or identity; they
    // cannot be transferred, so they are never traded and no other style uses Q.
    if (normalised.includes('Q')) {
      return reject('invalid_letters', 'Q is used only on Q plates, which cannot be traded');
    }
    return check(match.slice(1), now);
  }
  return reject('no_style', NO_STYLE);
}
