import type { MigrationObject } from '@reggie/db';
import { ClaimsMigration } from './0001-claims.ts';

export const migrations: MigrationObject[] = [{ name: '0001-claims', class: ClaimsMigration }];
