import type { MigrationObject } from '@reggie/db';
import { PlatesMigration } from './0001-plates.ts';
import { MarketPricesMigration } from './0002-market-prices.ts';
import { ListingUnlistedAtMigration } from './0003-listing-unlisted-at.ts';
import { OfferClosingHolderMigration } from './0004-offer-closing-holder.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-plates', class: PlatesMigration },
  { name: '0002-market-prices', class: MarketPricesMigration },
  { name: '0003-listing-unlisted-at', class: ListingUnlistedAtMigration },
  { name: '0004-offer-closing-holder', class: OfferClosingHolderMigration },
];
