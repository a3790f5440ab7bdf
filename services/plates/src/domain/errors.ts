import { ServiceError, serviceErrors } from '@reggie/bus';
import type { OfferStatus } from '@reggie/contracts';

/** The failures of plates and offers, each a catalogued code. */
export const plateErrors = {
  invalidRegistration: (reason: string, code: string, path = 'registration') =>
    new ServiceError('invalid_registration', reason, {
      rejection: code,
      issues: [{ path, message: reason }],
    }),
  notHolder: () => new ServiceError('not_plate_holder'),
  ownPlate: () => new ServiceError('offer_on_own_plate'),
  notBuyer: () => new ServiceError('not_offer_buyer'),
  // Not `status`: the gateway spreads details into the problem body, whose status is HTTP's.
  notPending: (status: OfferStatus | 'overdue') =>
    new ServiceError('offer_not_pending', `the offer is ${status}`, { offerStatus: status }),
  offerNotFound: () => serviceErrors.notFound('offer'),
  badQuery: (message: string) => serviceErrors.invalid([{ path: 'q', message }]),
  badCursor: () => serviceErrors.invalid([{ path: 'cursor', message: 'unknown cursor' }]),
};
