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
 * Accepts every series released so far and the next one, which DVLA sells ahead of its
 * release date. A series is released on 1 March or 1 September; before that, DVLA
 * Personalised Registrations sells its marks on certificates of entitlement, to be put on a
 * vehicle from the release date, so they are held and traded already. The March series is on
 * sale from about the previous autumn (27, for March 2027, from about autumn 2026), the
 * September series from about the spring. Nothing further ahead is on sale.
 *
 * The day DVLA starts selling moves from year to year and is not known in advance, so the
 * next series is accepted from the day the one before it is released: a mark may be accepted
 * a few weeks before DVLA sells it, but a mark someone holds is never refused. Months are
 * read in UTC; the hour by which UK summer time moves the September release is ignored.
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

  const newest = nextRelease(now);
  if (monthNumber(release) > monthNumber(newest)) {
    return reject(
      'invalid_age_identifier',
      `age identifier ${identifier} belongs to ${release.month} ${release.year}, which DVLA ` +
        `has not put on sale yet: the newest series on sale is ${identifierOf(newest)} ` +
        `(${newest.month} ${newest.year})`,
    );
  }
  return undefined;
}

/** The first release after the month of `now`: the series DVLA is selling ahead. */
export function nextRelease(now: Date): AgeIdentifierRelease {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (month < 3) return { year, month: 'March' };
  if (month < 9) return { year, month: 'September' };
  return { year: year + 1, month: 'March' };
}

function identifierOf(release: AgeIdentifierRelease): string {
  const twoDigits = release.year % 100;
  const value = release.month === 'March' ? twoDigits : (twoDigits + 50) % 100;
  return String(value).padStart(2, '0');
}

function monthNumber(release: AgeIdentifierRelease): number {
  return release.year * 12 + (release.month === 'March' ? 3 : 9);
}
