import { forbidLeadingZero, forbidLetters } from './letters.ts';
import { type Rejection, reject } from './rejection.ts';
import { type Fit, fit } from './style.ts';

export const LETTERS_FIRST_SHAPE = /^([A-Z]{1,3})(\d{1,4})$/;
export const DIGITS_FIRST_SHAPE = /^(\d{1,4})([A-Z]{1,3})$/;

// Every Northern Ireland county code contains I or Z and no GB code does, so either
// letter marks a mark as Irish. The codes of the Irish Republic's old series follow the
// same rule; they are classed as northern_ireland too, since DVLA rules cannot tell them
// apart and we do not keep a list of issued codes.
const IRISH_LETTERS = /[IZ]/;

/**
 * Letters then 1 to 4 digits: dateless GB (`ABC 1234`) or, when the letters hold I or Z,
 * Northern Ireland (`ABZ 1234`), whose codes are always two letters plus an optional
 * serial letter in front.
 */
export function checkLettersFirst(groups: string[]): Fit | Rejection {
  const [letters = '', digits = ''] = groups;
  const irish = IRISH_LETTERS.test(letters);
  const problem = forbidLeadingZero(digits) ?? (irish ? checkIrishCode(letters) : undefined);

  return problem ?? fit(irish ? 'northern_ireland' : 'dateless', letters, digits);
}

/**
 * 1 to 4 digits then letters: the reversed dateless series (`1234 AB`). Northern Ireland
 * issued its marks letters first only, as far as we know, so I or Z here is rejected.
 */
export function checkDigitsFirst(groups: string[]): Fit | Rejection {
  const [digits = '', letters = ''] = groups;
  const problem =
    forbidLeadingZero(digits) ??
    forbidLetters(letters, 'IZ', 'after the number: Irish marks put their letters first');

  return problem ?? fit('dateless', digits, letters);
}

// The I or Z must sit in the two-letter code: a lone letter is no code, and a serial I or
// Z in front of a GB code (IAB) belongs to neither series.
function checkIrishCode(letters: string): Rejection | undefined {
  if (letters.length < 2) {
    return reject('invalid_letters', `${letters} alone is not a Northern Ireland code`);
  }
  const code = letters.slice(-2);
  if (IRISH_LETTERS.test(code)) return undefined;
  return reject('invalid_letters', `${letters[0]} is used in front of Northern Ireland codes only`);
}
