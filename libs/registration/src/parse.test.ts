import { afterEach, describe, expect, it, vi } from 'vitest';
import { format, parseRegistration } from './parse.ts';
import { InvalidRegistrationError, type RejectionCode } from './rejection.ts';
import type { RegistrationStyle } from './style.ts';

const now = new Date('2026-06-15T12:00:00Z');

const VALID: [input: string, style: RegistrationStyle, display: string][] = [
  ['ab12 cde', 'current', 'AB12 CDE'],
  ['AB51ABC', 'current', 'AB51 ABC'],
  ['ab02xyz', 'current', 'AB02 XYZ'],
  ['BD25 ZMR', 'current', 'BD25 ZMR'],
  ['YY76 ZZZ', 'current', 'YY76 ZZZ'],
  ['LV26 AAA', 'current', 'LV26 AAA'],
  ['XA51 ABC', 'current', 'XA51 ABC'],
  ['OV57 VYS', 'current', 'OV57 VYS'],
  ['A123 BCD', 'prefix', 'A123 BCD'],
  [' a-1.2 3 b c d ', 'prefix', 'A123 BCD'],
  ['Y1 ABC', 'prefix', 'Y1 ABC'],
  ['P999 XYW', 'prefix', 'P999 XYW'],
  ['X99 OUV', 'prefix', 'X99 OUV'],
  ['ABC 123D', 'suffix', 'ABC 123D'],
  ['abc1a', 'suffix', 'ABC 1A'],
  ['OUV 99Y', 'suffix', 'OUV 99Y'],
  ['ABC 1234', 'dateless', 'ABC 1234'],
  ['1234 AB', 'dateless', '1234 AB'],
  ['1234ABC', 'dateless', '1234 ABC'],
  ['1 A', 'dateless', '1 A'],
  ['a1', 'dateless', 'A 1'],
  ['9999 ABC', 'dateless', '9999 ABC'],
  ['ABZ 1234', 'northern_ireland', 'ABZ 1234'],
  ['IAZ 123', 'northern_ireland', 'IAZ 123'],
  ['az 1', 'northern_ireland', 'AZ 1'],
  ['OI 9999', 'northern_ireland', 'OI 9999'],
  ['KIB 70', 'northern_ireland', 'KIB 70'],
  ['ZIZ 7', 'northern_ireland', 'ZIZ 7'],
  ['\uff41\uff42\uff11\uff12 \uff43\uff44\uff45', 'current', 'AB12 CDE'],
  ['ab12\u00a0cde', 'current', 'AB12 CDE'],
  ['ab12\u200bcde', 'current', 'AB12 CDE'],
  ['ab\u201312\u2014cde', 'current', 'AB12 CDE'],
  ['\tab12\ncde\r\n', 'current', 'AB12 CDE'],
  ['"AB12/CDE"', 'current', 'AB12 CDE'],
];

const INVALID: [input: string, code: RejectionCode, mentions?: string][] = [
  ['', 'empty'],
  ['  - . ', 'empty'],
  ['AB12CDEF', 'too_long'],
  ['A'.repeat(65), 'too_long'],
  ['AB12 CD£', 'bad_characters', '£'],
  ['AB12*CDE', 'bad_characters', '*'],
  ['\u00c4B12 CDE', 'bad_characters', '\u00c4'],
  ['AB12 CD\u{1f697}', 'bad_characters', '\u{1f697}'],
  ['AB12 CDE!', 'bad_characters', '!'],
  ['ABCD', 'no_style'],
  ['1', 'no_style'],
  ['A', 'no_style'],
  ['12345 A', 'no_style'],
  ['A1B2', 'no_style'],
  ['ABCD 1', 'no_style'],
  ['AB1 2CD', 'no_style'],
  ['AB01 CDE', 'invalid_age_identifier', '01'],
  ['AB50 CDE', 'invalid_age_identifier', 'March 2050'],
  ['AB00 CDE', 'invalid_age_identifier', 'September 2050'],
  ['AB27 CDE', 'invalid_age_identifier', 'March 2027'],
  ['AB77 CDE', 'invalid_age_identifier', 'September 2027'],
  ['IA12 CDE', 'invalid_letters', 'I'],
  ['JA12 CDE', 'invalid_letters', 'J'],
  ['TA12 CDE', 'invalid_letters', 'T'],
  ['UA12 CDE', 'invalid_letters', 'U'],
  ['ZA12 CDE', 'invalid_letters', 'Z'],
  ['AZ12 CDE', 'invalid_letters', 'Z'],
  ['AI12 CDE', 'invalid_letters', 'I'],
  ['AB12 CIE', 'invalid_letters', 'I'],
  ['Q123 ABC', 'invalid_letters', 'Q plates'],
  ['AB12 CDQ', 'invalid_letters', 'Q plates'],
  ['QAB 123', 'invalid_letters', 'Q plates'],
  ['1 Q', 'invalid_letters', 'Q plates'],
  ['I123 ABC', 'invalid_year_letter', 'I'],
  ['O123 ABC', 'invalid_year_letter', 'O'],
  ['U123 ABC', 'invalid_year_letter', 'U'],
  ['Z123 ABC', 'invalid_year_letter', 'Z'],
  ['ABC 123I', 'invalid_year_letter', 'I'],
  ['ABC 123O', 'invalid_year_letter', 'O'],
  ['ABC 123U', 'invalid_year_letter', 'U'],
  ['ABC 123Z', 'invalid_year_letter', 'Z'],
  ['A123 BIC', 'invalid_letters', 'I'],
  ['A123 BCZ', 'invalid_letters', 'Z'],
  ['ZBC 123D', 'invalid_letters', 'Z'],
  ['AIB 12C', 'invalid_letters', 'I'],
  ['A012 BCD', 'leading_zero', '012'],
  ['ABC 012D', 'leading_zero', '012'],
  ['0 A', 'leading_zero', '0'],
  ['01 A', 'leading_zero', '01'],
  ['A 0', 'leading_zero', '0'],
  ['ABC 0123', 'leading_zero', '0123'],
  ['ABZ 0123', 'leading_zero', '0123'],
  ['Z 1', 'invalid_letters', 'Z'],
  ['IAB 123', 'invalid_letters', 'Northern Ireland codes only'],
  ['ZAB 1', 'invalid_letters', 'Northern Ireland codes only'],
  ['I 12', 'invalid_letters', 'I'],
  ['1 IA', 'invalid_letters', 'I'],
  ['123 ABZ', 'invalid_letters', 'Z'],
];

describe('parseRegistration', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(VALID)('accepts %j as %s, shown as %j', (input, style, display) => {
    const result = parseRegistration(input, { now });

    expect(result).toEqual({
      ok: true,
      value: { normalised: display.replace(' ', ''), display, style },
    });
  });

  it.each(INVALID)('rejects %j with %s', (input, code, mentions) => {
    const result = parseRegistration(input, { now });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.reason.length).toBeGreaterThan(10);
    if (mentions !== undefined) expect(result.reason).toContain(mentions);
  });

  it.each([
    ['2026-01-02T00:00:00Z', 'AB26 CDE', 'AB76 CDE'],
    ['2026-03-01T00:00:00Z', 'AB76 CDE', 'AB27 CDE'],
    ['2026-08-31T23:59:59Z', 'AB76 CDE', 'AB27 CDE'],
    ['2026-09-01T00:00:00Z', 'AB27 CDE', 'AB77 CDE'],
    ['2026-12-04T09:00:00Z', 'AB27 CDE', 'AB77 CDE'],
  ])('on %s accepts %s, the series on sale ahead, and refuses %s', (at, next, beyond) => {
    const clock = { now: new Date(at) };

    expect(parseRegistration(next, clock).ok).toBe(true);
    expect(parseRegistration(beyond, clock)).toMatchObject({
      ok: false,
      code: 'invalid_age_identifier',
      reason: expect.stringContaining(`the newest series on sale is ${next.slice(2, 4)}`),
    });
  });

  it('accepts no current-style mark before the style began', () => {
    const result = parseRegistration('AB51 CDE', { now: new Date('2000-12-31T23:59:59Z') });

    expect(result).toMatchObject({ ok: false, code: 'invalid_age_identifier' });
  });

  it('reads the system clock when no clock is given', () => {
    vi.useFakeTimers({ now: new Date('2030-03-01T00:00:00Z') });

    expect(parseRegistration('AB80 CDE').ok).toBe(true);
    expect(parseRegistration('AB31 CDE').ok).toBe(false);
  });

  it('refuses an invalid clock as a programming error', () => {
    expect(() => parseRegistration('AB12 CDE', { now: new Date('nonsense') })).toThrow(RangeError);
  });
});

describe('format', () => {
  it('spaces a valid mark conventionally', () => {
    expect(format('a123bcd', { now })).toBe('A123 BCD');
    expect(format('ABZ-1234', { now })).toBe('ABZ 1234');
  });

  it('throws a coded error for a string that is not a mark', () => {
    const thrown = captureError(() => format('AB01 CDE', { now }));

    expect(thrown).toBeInstanceOf(InvalidRegistrationError);
    expect(thrown).toMatchObject({ code: 'invalid_age_identifier', input: 'AB01 CDE' });
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
