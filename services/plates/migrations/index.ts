import type { MigrationObject } from '@reggie/db';
import { PlatesMigration } from './0001-plates.ts';

export const migrations: MigrationObject[] = [{ name: '0001-plates', class: PlatesMigration }];
