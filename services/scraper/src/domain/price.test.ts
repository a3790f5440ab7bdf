import { describe, expect, it } from 'vitest';
import { FIXTURE_DEALERS } from '../../fixtures/dealer-catalogue.ts';
import { type ParsedPrice, parsePrice } from './price.ts';

const pence = (value: number): ParsedPrice => ({ kind: 'pence', pence: value });
const poa: ParsedPrice = { kind: 'poa' };
const invalid = (reason: string): ParsedPrice => ({ kind: 'invalid', reason }) as ParsedPrice;

const table: [string, ParsedPrice][] = [
  ['£1,250', pence(125_000)],
  ['1250.00', pence(125_000)],
  ['£1,250.50', pence(125_050)],
  ['£1,250.5', pence(125_050)],
  ['£0.10', pence(10)],
  ['£1,234,567.89', pence(123_456_789)],
  ['GBP 950', pence(95_000)],
  ['gbp950', pence(95_000)],
  ['950 GBP', pence(95_000)],
  ['£ 950', pence(95_000)],
  ['  £\u00a0950 ', pence(95_000)],
  ['950', pence(95_000)],
  ['950 pounds', pence(95_000)],
  ['£1.2k', pence(120_000)],
  ['1.25K', pence(125_000)],
  ['£12k', pence(1_200_000)],
  ['£2.499k', pence(249_900)],
  ['From £799', pence(79_900)],
  ['Offers over £1,000', pence(100_000)],
  ['Price: £650', pence(65_000)],
  ['£1,250 + VAT', pence(125_000)],
  ['£1,250 inc. VAT', pence(125_000)],
  ['£995 ONO', pence(99_500)],
  ['POA', poa],
  ['P.O.A.', poa],
  ['poa', poa],
  ['Price on application', poa],
  ['Price on request', poa],
  ['Offers', poa],
  ['Call for price', poa],
  ['', invalid('empty')],
  ['   ', invalid('empty')],
  ['SOLD', invalid('sold')],
  ['Under offer', invalid('sold')],
  ['$950', invalid('foreign_currency')],
  ['€950', invalid('foreign_currency')],
  ['950 EUR', invalid('foreign_currency')],
  ['£1,25', invalid('malformed_amount')],
  ['£1.250,00', invalid('malformed_amount')],
  ['£12,50', invalid('malformed_amount')],
  ['£1,250.505', invalid('malformed_amount')],
  ['£1.2345k', invalid('malformed_amount')],
  ['£1,250.', invalid('malformed_amount')],
  ['-£950', invalid('malformed_amount')],
  ['£950 - £1,200', invalid('malformed_amount')],
  ['1.2m', invalid('malformed_amount')],
  ['£0', invalid('zero')],
  ['£0.00', invalid('zero')],
  ['£999999999999999999', invalid('too_large')],
  ['£200,000,000', invalid('too_large')],
  ['Coming soon', invalid('unrecognised')],
];

describe('price parsing', () => {
  it.each(table)('reads %j', (raw, expected) => {
    expect(parsePrice(raw)).toEqual(expected);
  });

  it('is exact where floating point would drift', () => {
    // 0.1 + 0.2 style drift: 1.15 * 100 is 114.99999999999999 in floating point.
    expect(parsePrice('£1.15')).toEqual(pence(115));
    expect(parsePrice('£4.35')).toEqual(pence(435));
    expect(parsePrice('£1,005.29')).toEqual(pence(100_529));
  });

  it('returns whole numbers of pence for every accepted amount', () => {
    for (let p = 1; p < 5_000; p += 7) {
      const text = `£${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`;
      expect(parsePrice(text)).toEqual(pence(p));
    }
  });

  it('reads every price the fixture dealers print for their good listings', () => {
    const plates = FIXTURE_DEALERS.flatMap((d) => d.pages.flatMap((p) => p.plates));
    for (const plate of plates.filter((p) => p.note === 'ok')) {
      expect(parsePrice(plate.price).kind, plate.price).not.toBe('invalid');
    }
  });
});
