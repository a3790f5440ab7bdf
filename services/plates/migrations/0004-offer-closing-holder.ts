import { Migration } from '@reggie/db';

/**
 * Whose history a closed offer belongs to: the plate's holder when the offer left `pending`.
 * A pending offer goes to whoever holds the plate now; a closed one stays with the holder it
 * was closed under, so a plate changing hands neither shows the new holder the old holder's
 * offers nor takes them from the old holder.
 *
 * Offers closed before this migration get the plate's holder now, the only holder on record;
 * for a plate that changed hands since, that is the holder who could already see them.
 */
export class OfferClosingHolderMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table offers add column closed_holder_profile_id uuid');
    this.addSql(`update offers o set closed_holder_profile_id = p.holder_profile_id
      from plates p where p.id = o.plate_id and o.status <> 'pending'`);
    this.addSql(`create index offers_closed_holder
      on offers (closed_holder_profile_id, created_at, id)
      where closed_holder_profile_id is not null`);
  }
}
