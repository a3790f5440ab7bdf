import { z } from 'zod';
import { type CommandContract, command, type EventContract, event } from './define.ts';
import { actorSchema } from './envelope.ts';
import { marketSummarySchema } from './market-summary.ts';

const timestamp = z.iso.datetime({ offset: true });

/**
 * A registration as typed by a person, in any spacing or case. The plates service parses
 * it and answers `invalid_registration` with the reason, so the rules live in one place.
 */
export const registrationInputSchema = z.string().min(1).max(64);

/** Money is integer pence; offers and asking prices run from £1 to £10,000,000. */
export const MIN_PENCE = 100;
export const MAX_PENCE = 1_000_000_000;
export const penceSchema = z
  .number()
  .int('must be a whole number of pence')
  .min(MIN_PENCE, 'must be at least £1 (100 pence)')
  .max(MAX_PENCE, 'must be at most £10,000,000');

export const plateStyleSchema = z.enum([
  'current',
  'prefix',
  'suffix',
  'dateless',
  'northern_ireland',
]);

export const listingStatusSchema = z.enum(['active', 'unlisted', 'sold']);
export type ListingStatus = z.infer<typeof listingStatusSchema>;

/** `unlistedAt` is when the listing left the market (unlisted or sold); null while active. */
export const listingSchema = z.object({
  status: listingStatusSchema,
  askingPrice: z.number().int(),
  listedAt: timestamp,
  unlistedAt: timestamp.nullable(),
  updatedAt: timestamp,
});
export type Listing = z.infer<typeof listingSchema>;

/**
 * A plate as anyone may see it. `listing` is the active listing to the public and the
 * latest listing of any status to the holder. The holder's identity is not shown.
 */
export const plateViewSchema = z.object({
  registration: z.string(),
  display: z.string(),
  style: plateStyleSchema,
  held: z.boolean(),
  heldByYou: z.boolean(),
  listing: listingSchema.nullable(),
});
export type PlateView = z.infer<typeof plateViewSchema>;

/** One plate's page: the plate and what dealers ask for the same mark. */
export const plateDetailSchema = plateViewSchema.extend({ market: marketSummarySchema });
export type PlateDetail = z.infer<typeof plateDetailSchema>;

export const offerStatusSchema = z.enum([
  'pending',
  'accepted',
  'rejected',
  'withdrawn',
  'expired',
]);
export type OfferStatus = z.infer<typeof offerStatusSchema>;

/** Why an offer left `pending`, beyond its status. */
export const offerReasonSchema = z.enum([
  'buyer',
  'holder',
  'replaced',
  'became_holder',
  'another_accepted',
  'profile_deleted',
  'expired',
]);
export type OfferReason = z.infer<typeof offerReasonSchema>;

export const offerSchema = z.object({
  id: z.uuid(),
  registration: z.string(),
  display: z.string(),
  buyerProfileId: z.uuid(),
  amount: z.number().int(),
  message: z.string().nullable(),
  status: offerStatusSchema,
  reason: offerReasonSchema.nullable(),
  expiresAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Offer = z.infer<typeof offerSchema>;

export const offerMessageSchema = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .refine(
    (s) => !/[\p{Cc}\p{Cf}]/u.test(s.replace(/\r?\n/g, '')),
    'must not contain control characters',
  );

const pageRequest = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Search text: characters of a mark or a word in platespeak, spacing ignored. */
export const plateQuerySchema = z.string().trim().min(1).max(32);

const offerAction = z.object({ actor: actorSchema, offerId: z.uuid() });

export const plateCommands = {
  'plates.get': command(
    'plates',
    z.object({ registration: registrationInputSchema, actor: actorSchema.optional() }),
    plateDetailSchema,
  ),
  'plates.search': command(
    'plates',
    z.object({
      q: plateQuerySchema,
      listedOnly: z.boolean().default(false),
      actor: actorSchema.optional(),
      ...pageRequest,
    }),
    page(plateViewSchema),
  ),
  'plates.mine': command(
    'plates',
    z.object({ actor: actorSchema, ...pageRequest }),
    page(plateViewSchema),
  ),
  'plates.set_listing': command(
    'plates',
    z.object({
      actor: actorSchema,
      registration: registrationInputSchema,
      askingPrice: penceSchema,
    }),
    plateViewSchema,
  ),
  'plates.remove_listing': command(
    'plates',
    z.object({ actor: actorSchema, registration: registrationInputSchema }),
    plateViewSchema,
  ),
  'plates.make_offer': command(
    'plates',
    z.object({
      actor: actorSchema,
      registration: registrationInputSchema,
      amount: penceSchema,
      message: offerMessageSchema.optional(),
    }),
    offerSchema,
  ),
  'plates.list_offers': command(
    'plates',
    z.object({
      actor: actorSchema,
      direction: z.enum(['sent', 'received']),
      status: offerStatusSchema.optional(),
      ...pageRequest,
    }),
    page(offerSchema),
  ),
  'plates.withdraw_offer': command('plates', offerAction, offerSchema),
  'plates.accept_offer': command('plates', offerAction, offerSchema),
  'plates.reject_offer': command('plates', offerAction, offerSchema),
} satisfies Record<string, CommandContract>;

const plateRef = { registration: z.string(), plateId: z.uuid() };

export const plateEvents = {
  'plate.created': event(
    'plates',
    z.object({ ...plateRef, display: z.string(), style: plateStyleSchema }),
  ),
  'plate.holder_changed': event(
    'plates',
    z.object({
      ...plateRef,
      previousHolderProfileId: z.uuid().nullable(),
      holderProfileId: z.uuid().nullable(),
      // `seed` only ever comes from local development data.
      cause: z.enum(['claim_approved', 'profile_deleted', 'seed']),
      claimId: z.uuid().optional(),
    }),
  ),
  'listing.changed': event(
    'plates',
    z.object({
      ...plateRef,
      holderProfileId: z.uuid(),
      status: listingStatusSchema,
      askingPrice: z.number().int(),
    }),
  ),
  'offer.made': event(
    'plates',
    z.object({ offer: offerSchema, holderProfileId: z.uuid().nullable() }),
  ),
  'offer.withdrawn': event('plates', z.object({ offer: offerSchema })),
  'offer.accepted': event('plates', z.object({ offer: offerSchema, holderProfileId: z.uuid() })),
  'offer.rejected': event('plates', z.object({ offer: offerSchema })),
  'offer.expired': event('plates', z.object({ offer: offerSchema })),
} satisfies Record<string, EventContract>;
