import { Migration } from '@reggie/db';

/**
 * When a listing left the market (unlisted or sold), null while it is active. A listing that
 * is not active was last written when it ended, so `updated_at` dates the existing ones.
 */
export class ListingUnlistedAtMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table listings add column unlisted_at timestamptz');
    this.addSql("update listings set unlisted_at = updated_at where status <> 'active'");
    this.addSql(`alter table listings add constraint listings_unlisted_at_when_ended
      check ((status = 'active') = (unlisted_at is null))`);
  }
}
