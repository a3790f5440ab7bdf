import type { MigrationObject } from '@reggie/db';
import { ClaimsMigration } from './0001-claims.ts';
import { AuditQueueViewsMigration } from './0002-audit-queue-views.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-claims', class: ClaimsMigration },
  { name: '0002-audit-queue-views', class: AuditQueueViewsMigration },
];
