import { Migration } from '@reggie/db';

/**
 * A host's turn is reserved in a short transaction instead of a row lock held across the
 * request; a crawl that must wait longer than a worker should is paused with its place
 * kept; listing search reads a trigram index.
 */
export class TurnsAndSearchMigration extends Migration {
  override async up(): Promise<void> {
    // Set while one request to the host is in flight; next_allowed_at then covers the
    // request's whole budget, so a replica that dies mid-request leaves the host resting.
    this.addSql('alter table hosts add column turn_token text');
    this.addSql('alter table hosts add column last_response_at timestamptz');
    // One replica at a time reads a host's robots.txt; a lapsed claim is taken over.
    this.addSql('alter table hosts add column robots_refresh_until timestamptz');

    this.addSql('alter table crawl_runs drop constraint crawl_runs_status_check');
    this.addSql(`alter table crawl_runs add constraint crawl_runs_status_check
      check (status in ('queued', 'running', 'paused', 'finished'))`);
    this.addSql('alter table crawl_runs add column resume_at timestamptz');
    // Where a paused crawl goes on from: pages still to read, pages read, marks seen.
    this.addSql('alter table crawl_runs add column frontier jsonb');

    // The extension belongs to the database, and another service may create it at the
    // same moment; the loser of that race has nothing left to do.
    this.addSql(`do $$ begin
      create extension if not exists pg_trgm with schema public;
    exception when unique_violation or duplicate_object then null;
    end $$`);
    this.addSql(`create index listings_lookalike_trgm on listings
      using gin (lookalike public.gin_trgm_ops) where active`);
  }
}
