import { Migration } from '@reggie/db';

/**
 * What dealers ask for each mark, as the scraper's listing events report it: one row per
 * dealer listing, so a plate page reads its market summary here, in the same statement as
 * the plate, without asking the scraper on every view. `as_of` is the time of the newest
 * observation applied, which makes the events order-independent.
 */
export class MarketPricesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table market_prices (
      listing_id uuid primary key,
      registration text not null,
      price_pence bigint,
      active boolean not null,
      as_of timestamptz not null
    )`);
    this.addSql(
      'create index market_prices_active on market_prices (registration) include (price_pence) where active',
    );
  }
}
