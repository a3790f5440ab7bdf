// Test support only (not exported from the package): fast-check generators of marks that
// are valid under the rules this library encodes, each tagged with its style.
import fc from 'fast-check';
import type { RegistrationStyle } from './style.ts';

export interface GeneratedMark {
  style: RegistrationStyle;
  normalised: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const without = (excluded: string): string[] =>
  [...ALPHABET].filter((letter) => !excluded.includes(letter));

const letters = (alphabet: string[], minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((xs) => xs.join(''));

const number = (maxDigits: number) => fc.integer({ min: 1, max: 10 ** maxDigits - 1 }).map(String);

/**
 * Age identifiers on sale at `now`, written out independently of the library: every release
 * from 51 (September 2001) up to and including the first one still to come, which DVLA
 * sells ahead.
 */
export function onSaleAgeIdentifiers(now: Date): string[] {
  const identifiers: string[] = [];
  for (let year = 2001; year <= 2050; year++) {
    const releases: Array<[month: number, value: number]> = [
      [3, year % 100],
      [9, ((year % 100) + 50) % 100],
    ];
    for (const [month, value] of releases) {
      // 01 was never issued; before its turn, in March 2001, nothing of the style was on sale.
      if (year > 2001 || month === 9) identifiers.push(String(value).padStart(2, '0'));
      if (Date.UTC(year, month - 1, 1) > now.getTime()) return identifiers;
    }
  }
  return identifiers;
}

const current = (now: Date) =>
  fc
    .tuple(
      letters(without('IJQTUZ'), 1, 1),
      letters(without('IQZ'), 1, 1),
      fc.constantFrom(...onSaleAgeIdentifiers(now)),
      letters(without('IQ'), 3, 3),
    )
    .map((parts) => parts.join(''));

const prefix = fc
  .tuple(letters(without('IOQUZ'), 1, 1), number(3), letters(without('IQZ'), 3, 3))
  .map((parts) => parts.join(''));

const suffix = fc
  .tuple(letters(without('IQZ'), 3, 3), number(3), letters(without('IOQUZ'), 1, 1))
  .map((parts) => parts.join(''));

const dateless = fc
  .tuple(letters(without('IQZ'), 1, 3), number(4), fc.boolean())
  .map(([l, d, lettersFirst]) => (lettersFirst ? l + d : d + l));

// A two-letter county code with I or Z in one of its places, an optional serial letter.
const northernIreland = fc
  .tuple(
    letters(['I', 'Z'], 1, 1),
    letters(without('Q'), 1, 1),
    fc.boolean(),
    letters(without('Q'), 0, 1),
    number(4),
  )
  .map(([irish, other, irishFirst, serial, digits]) => {
    const code = irishFirst ? irish + other : other + irish;
    return serial + code + digits;
  });

const tagged = (style: RegistrationStyle, mark: fc.Arbitrary<string>) =>
  mark.map((normalised): GeneratedMark => ({ style, normalised }));

/** Any valid mark at `now`, the clock the test parses with. */
export function validMark(now: Date): fc.Arbitrary<GeneratedMark> {
  return fc.oneof(
    tagged('current', current(now)),
    tagged('prefix', prefix),
    tagged('suffix', suffix),
    tagged('dateless', dateless),
    tagged('northern_ireland', northernIreland),
  );
}

/** Re-types a normalised mark the way people do: any case, separators anywhere. */
export function messyTyping(normalised: string): fc.Arbitrary<string> {
  const separator = fc.constantFrom('', '', ' ', '-', '.', '\u00a0', '\u2013', '\t', '\u200b');
  return fc
    .tuple(
      fc.array(separator, { minLength: normalised.length + 1, maxLength: normalised.length + 1 }),
      fc.array(fc.boolean(), { minLength: normalised.length, maxLength: normalised.length }),
    )
    .map(([separators, lower]) =>
      [...normalised]
        .map((c, i) => separators[i] + (lower[i] ? c.toLowerCase() : c))
        .concat(separators[normalised.length] ?? '')
        .join(''),
    );
}
