import type { MigrationObject } from '@reggie/db';
import { MarketMigration } from './0001-market.ts';

export const migrations: MigrationObject[] = [{ name: '0001-market', class: MarketMigration }];
