import { forbidLeadingZero, forbidLetters } from './letters.ts';
import { type Rejection, reject } from './rejection.ts';
import { type Fit, fit } from './style.ts';

export const PREFIX_SHAPE = /^([A-Z])(\d{1,3})([A-Z]{3})$/;
export const SUFFIX_SHAPE = /^([A-Z]{3})(\d{1,3})([A-Z])$/;

// Year letters ran A (1963 suffix, 1983 prefix) to Y, skipping I and O (read as 1 and 0),
// U (too like V), Z (Irish marks) and Q (kept for Q plates, which cannot be transferred).
const NOT_YEAR_LETTERS = 'IOQUZ';
// The three letters are a serial letter and a two-letter area code. GB codes never hold
// I or Z, which belong to Irish codes, and the serial letter skipped I, Q and Z as well.
const NOT_IN_SERIES = 'IQZ';

/** Prefix style (August 1983 to August 2001): year letter, 1-999, three letters. */
export function checkPrefix(groups: string[]): Fit | Rejection {
  const [year = '', digits = '', series = ''] = groups;
  const problem =
    checkYearLetter(year) ??
    forbidLeadingZero(digits) ??
    forbidLetters(series, NOT_IN_SERIES, 'in the letters of a prefix mark');

  return problem ?? fit('prefix', year + digits, series);
}

/** Suffix style (1963 to July 1983): three letters, 1-999, year letter. */
export function checkSuffix(groups: string[]): Fit | Rejection {
  const [series = '', digits = '', year = ''] = groups;
  const problem =
    forbidLetters(series, NOT_IN_SERIES, 'in the letters of a suffix mark') ??
    forbidLeadingZero(digits) ??
    checkYearLetter(year);

  return problem ?? fit('suffix', series, digits + year);
}

function checkYearLetter(letter: string): Rejection | undefined {
  if (!NOT_YEAR_LETTERS.includes(letter)) return undefined;
  return reject('invalid_year_letter', `${letter} was never used as a year letter`);
}
