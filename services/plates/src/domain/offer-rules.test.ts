import { ServiceError } from '@reggie/bus';
import { describe, expect, it } from 'vitest';
import {
  type OfferFacts,
  partyOf,
  requireBuyer,
  requireHolder,
  requirePending,
} from './offer-rules.ts';

const holder = { profileId: '00000000-0000-4000-8000-000000000001', role: 'user' as const };
const buyer = { profileId: '00000000-0000-4000-8000-000000000002', role: 'user' as const };
const stranger = { profileId: '00000000-0000-4000-8000-000000000003', role: 'admin' as const };
const now = new Date('2025-06-01T12:00:00Z');

const offer = (changes: Partial<OfferFacts> = {}): OfferFacts => ({
  buyerProfileId: buyer.profileId,
  holderProfileId: holder.profileId,
  status: 'pending',
  expiresAt: new Date('2025-06-10T00:00:00Z'),
  ...changes,
});

function codeOf(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ServiceError ? err.code : 'thrown';
  }
}

describe('offer rules', () => {
  it('names the party of each caller, admins included', () => {
    expect([holder, buyer, stranger].map((a) => partyOf(offer(), a))).toEqual([
      'holder',
      'buyer',
      'stranger',
    ]);
    expect(partyOf(offer({ holderProfileId: null }), holder)).toBe('stranger');
  });

  it('lets the holder respond; tells the buyer no and the stranger nothing', () => {
    expect([holder, buyer, stranger].map((a) => codeOf(() => requireHolder(offer(), a)))).toEqual([
      'ok',
      'not_plate_holder',
      'not_found',
    ]);
  });

  it('lets the buyer withdraw; tells the holder no and the stranger nothing', () => {
    expect([buyer, holder, stranger].map((a) => codeOf(() => requireBuyer(offer(), a)))).toEqual([
      'ok',
      'not_offer_buyer',
      'not_found',
    ]);
  });

  it('treats a closed or overdue offer as no longer pending', () => {
    expect(codeOf(() => requirePending(offer(), now))).toBe('ok');
    expect(codeOf(() => requirePending(offer({ status: 'withdrawn' }), now))).toBe(
      'offer_not_pending',
    );
    expect(codeOf(() => requirePending(offer({ expiresAt: now }), now))).toBe('offer_not_pending');
  });
});
