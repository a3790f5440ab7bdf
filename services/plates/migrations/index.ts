import type { MigrationObject } from '@reggie/db';
import { PlatesMigration } from './0001-plates.ts';
import { MarketPricesMigration } from './0002-market-prices.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-plates', class: PlatesMigration },
  { name: '0002-market-prices', class: MarketPricesMigration },
];
