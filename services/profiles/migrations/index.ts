import type { MigrationObject } from '@reggie/db';
import { ProfilesMigration } from './0001-profiles.ts';

export const migrations: MigrationObject[] = [{ name: '0001-profiles', class: ProfilesMigration }];
