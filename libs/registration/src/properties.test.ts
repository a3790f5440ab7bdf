import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messyTyping, onSaleAgeIdentifiers, validMark } from './arbitraries.ts';
import { LOOKALIKE_CLASSES, lookalikeKey, sharedCharacters } from './lookalike.ts';
import { normalise } from './normalise.ts';
import { format, parseRegistration } from './parse.ts';

const now = new Date('2026-06-15T12:00:00Z');
const marks = validMark(now);
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
const plainText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ') });

describe('normalise - properties', () => {
  it('is idempotent for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => normalise(normalise(text)) === normalise(text)),
      {
        numRuns: 5000,
      },
    );
  });
});

describe('parseRegistration - properties', () => {
  it('classifies every generated mark as the style it was generated from', () => {
    fc.assert(
      fc.property(marks, ({ style, normalised }) => {
        const result = parseRegistration(normalised, { now });

        expect(result).toMatchObject({ ok: true, value: { style, normalised } });
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a mark the same however it is spaced and cased', () => {
    const typed = marks.chain((mark) =>
      messyTyping(mark.normalised).map((t) => [mark, t] as const),
    );

    fc.assert(
      fc.property(typed, ([mark, input]) => {
        const result = parseRegistration(input, { now });

        expect(result).toMatchObject({ ok: true, value: mark });
      }),
      { numRuns: 2000 },
    );
  });

  it('formats to a form that normalises back to the same mark', () => {
    fc.assert(
      fc.property(marks, ({ normalised }) => {
        const display = format(normalised, { now });

        expect(normalise(display)).toBe(normalised);
        expect(format(display, { now })).toBe(display);
        expect(display.split(' ')).toHaveLength(2);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws, and whatever it accepts is short, plain and spaced once', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, plainText), (input) => {
        const result = parseRegistration(input, { now });
        if (!result.ok) return;

        expect(result.value.normalised).toMatch(/^[A-Z0-9]{2,7}$/);
        expect(result.value.display.replace(' ', '')).toBe(result.value.normalised);
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts exactly the age identifiers released and the next series, at any clock', () => {
    const clock = fc.date({
      min: new Date('2001-01-01T00:00:00Z'),
      max: new Date('2050-01-01T00:00:00Z'),
      noInvalidDate: true,
    });
    const identifier = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));

    fc.assert(
      fc.property(clock, identifier, (at, age) => {
        const result = parseRegistration(`AB${age}CDE`, { now: at });

        expect(result.ok).toBe(onSaleAgeIdentifiers(at).includes(age));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('lookalikeKey - properties', () => {
  const classOf = (c: string) => LOOKALIKE_CLASSES.find((members) => members.includes(c)) ?? c;

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (text) => lookalikeKey(lookalikeKey(text)) === lookalikeKey(text)),
      { numRuns: 3000 },
    );
  });

  it('gives one key to strings that differ only by look-alike characters', () => {
    const swapped = plainText.chain((text) =>
      fc
        .tuple(...[...text].map((c) => fc.constantFrom(...classOf(c))))
        .map((chars) => [text, chars.join('')] as const),
    );

    fc.assert(fc.property(swapped, ([a, b]) => lookalikeKey(a) === lookalikeKey(b)));
  });

  it('gives different keys when some position holds characters of different classes', () => {
    const pair = fc
      .tuple(plainText, plainText)
      .filter(([a, b]) => normalise(a).length === normalise(b).length);

    fc.assert(
      fc.property(pair, ([a, b]) => {
        const [x, y] = [normalise(a), normalise(b)];
        const alike = [...x].every((c, i) => classOf(c) === classOf(y[i]!));

        expect(lookalikeKey(a) === lookalikeKey(b)).toBe(alike);
      }),
    );
  });
});

describe('sharedCharacters - properties', () => {
  it('is symmetric, bounded by the shorter string and ignores order', () => {
    fc.assert(
      fc.property(plainText, plainText, (a, b) => {
        const shared = sharedCharacters(a, b);
        const reversed = [...a].reverse().join('');

        expect(sharedCharacters(b, a)).toBe(shared);
        expect(sharedCharacters(reversed, b)).toBe(shared);
        expect(shared).toBeLessThanOrEqual(Math.min(normalise(a).length, normalise(b).length));
        expect(sharedCharacters(a, a)).toBe(normalise(a).length);
      }),
    );
  });
});
