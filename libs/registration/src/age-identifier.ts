import { type Rejection, reject } from './rejection.ts';

/** When the age identifier of a current-style mark was (or will be) released. */
export interface AgeIdentifierRelease {
  year: number;
  month: 'March' | 'September';
}

// The current style began on 1 September 2001 with 51 and 02 followed in March 2002, so
// 01, which would be March 2001, was never issued.
const FIRST_RELEASE = monthNumber({ year: 2001, month: 'September' });

/**
 * Decodes an age identifier: March releases use the year's last two digits, September
 * releases add 50, and 00 is September 2050. Returns undefined for 01, never issued,
 * and for anything that is not two digits.
 */
export function ageIdentifierRelease(identifier: string): AgeIdentifierRelease | undefined {
  if (!/^\d{2}$/.test(identifier)) return undefined;

  const value = Number(identifier);
  const release: AgeIdentifierRelease =
    value === 0
      ? { year: 2050, month: 'September' }
      : value <= 50
        ? { year: 2000 + value, month: 'March' }
        : { year: 1950 + value, month: 'September' };

  return monthNumber(release) < FIRST_RELEASE ? undefined : release;
}

/**
 * Accepts identifiers released up to the end of the current year. DVLA sells marks of a
 * coming series on entitlement certificates months before its release date, so a mark
 * for later this year can already be held and traded; later years cannot, we believe.
 */
export function checkAgeIdentifier(identifier: string, now: Date): Rejection | undefined {
  const release = ageIdentifierRelease(identifier);
  if (release === undefined) {
    return reject(
      'invalid_age_identifier',
      `age identifier ${identifier} was never issued: current-style marks began with 51 ` +
        'in September 2001 and 02 in March 2002',
    );
  }

  if (release.year > now.getUTCFullYear()) {
    return reject(
      'invalid_age_identifier',
      `age identifier ${identifier} belongs to ${release.month} ${release.year}, ` +
        'which has not been released yet',
    );
  }
  return undefined;
}

function monthNumber(release: AgeIdentifierRelease): number {
  return release.year * 12 + (release.month === 'March' ? 3 : 9);
}
