import type { MigrationObject } from '@reggie/db';
import { ProfilesMigration } from './0001-profiles.ts';
import { MillisecondTimestampsMigration } from './0002-millisecond-timestamps.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-profiles', class: ProfilesMigration },
  { name: '0002-millisecond-timestamps', class: MillisecondTimestampsMigration },
];
