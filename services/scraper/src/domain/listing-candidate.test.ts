import { describe, expect, it } from 'vitest';
import { isValidRegistration, toCandidate } from './listing-candidate.ts';

const now = new Date('2026-06-01T00:00:00Z');
const raw = (registrationRaw: string, priceRaw: string) => ({
  registrationRaw,
  priceRaw,
  url: 'https://dealer.example/plate',
});

describe('listing candidates', () => {
  it('normalises the mark and reads the price in pence', () => {
    const result = toCandidate(raw('ab12 cde', '£1,250.50'), now);
    expect(result).toEqual({
      ok: true,
      candidate: {
        registration: 'AB12CDE',
        display: 'AB12 CDE',
        style: 'current',
        lookalike: expect.any(String),
        price: 125_050,
        url: 'https://dealer.example/plate',
      },
    });
  });

  it('keeps price on application as a null price', () => {
    const result = toCandidate(raw('7 JS', 'POA'), now);
    expect(result.ok && result.candidate.price).toBeNull();
  });

  it('refuses a mark that fits no style and a price that is not money', () => {
    expect(toCandidate(raw('AB12 CD', '£650'), now)).toMatchObject({
      ok: false,
      reason: 'invalid_registration',
    });
    expect(toCandidate(raw('J4 MES', 'SOLD'), now)).toMatchObject({
      ok: false,
      reason: 'invalid_price',
    });
    expect(isValidRegistration('ABCDEFGHJ')).toBe(false);
  });
});
