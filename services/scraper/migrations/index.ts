import type { MigrationObject } from '@reggie/db';
import { MarketMigration } from './0001-market.ts';
import { TurnsAndSearchMigration } from './0002-turns-and-search.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-market', class: MarketMigration },
  { name: '0002-turns-and-search', class: TurnsAndSearchMigration },
];
