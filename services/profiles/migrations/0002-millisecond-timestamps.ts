import { Migration } from '@reggie/db';

/**
 * Page cursors carry timestamps in milliseconds, as JSON does; PostgreSQL stores
 * microseconds. Rows created within the millisecond of a page's last row could fall
 * between pages, so timestamps are kept to the millisecond.
 */
export class MillisecondTimestampsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table profiles alter column created_at type timestamptz(3)');
    this.addSql('alter table profiles alter column updated_at type timestamptz(3)');
  }
}
