import { checkAgeIdentifier } from './age-identifier.ts';
import { forbidLetters } from './letters.ts';
import type { Rejection } from './rejection.ts';
import { type Fit, fit } from './style.ts';

export const CURRENT_SHAPE = /^([A-Z]{2})(\d{2})([A-Z]{3})$/;

// The memory tag's first letter names a region (A Anglia, B Birmingham, ... Y Yorkshire).
// J, T and U were never given a region, and I, Q and Z never appear in a tag at all. X is
// accepted: it was set aside for personal-export marks (XA to XF), which are rare but real.
const NOT_REGIONS = 'IJQTUZ';
const NOT_IN_TAG = 'IQZ';
// The three random letters skip I and Q, which read as 1 and 0; Z is used there.
const NOT_IN_RANDOM = 'IQ';

/** Current style (September 2001 on): memory tag, age identifier, three random letters. */
export function checkCurrent(groups: string[], now: Date): Fit | Rejection {
  const [tag = '', age = '', random = ''] = groups;
  const problem =
    forbidLetters(tag.slice(0, 1), NOT_REGIONS, 'as the region letter of a memory tag') ??
    forbidLetters(tag.slice(1), NOT_IN_TAG, 'in a memory tag') ??
    checkAgeIdentifier(age, now) ??
    forbidLetters(random, NOT_IN_RANDOM, 'in the random letters of a current-style mark');

  return problem ?? fit('current', tag + age, random);
}
