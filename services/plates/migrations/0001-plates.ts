import { Migration } from '@reggie/db';

/**
 * Plates, their listings and offers. A plate row exists once someone offered on, claimed
 * or listed the mark; reads never create one. Search reads `lookalike_key` through a
 * trigram index, so "contains these characters" stays an index scan at millions of rows.
 */
export class PlatesMigration extends Migration {
  override async up(): Promise<void> {
    // The extension belongs to the database, not to our schema, and another service may
    // create it at the same moment; the loser of that race has nothing left to do.
    this.addSql(`do $$ begin
      create extension if not exists pg_trgm with schema public;
    exception when unique_violation or duplicate_object then null;
    end $$`);

    this.addSql(`create table plates (
      id uuid primary key,
      registration text not null,
      display text not null,
      style text not null
        check (style in ('current', 'prefix', 'suffix', 'dateless', 'northern_ireland')),
      lookalike_key text not null,
      holder_profile_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint plates_registration_unique unique (registration)
    )`);
    this.addSql('create index plates_holder on plates (holder_profile_id, registration)');
    this.addSql(
      'create index plates_lookalike_trgm on plates using gin (lookalike_key public.gin_trgm_ops)',
    );
    // Queries of one or two characters have no trigram; they match by prefix instead.
    this.addSql('create index plates_lookalike_prefix on plates (lookalike_key text_pattern_ops)');

    this.addSql(`create table listings (
      plate_id uuid primary key references plates (id),
      holder_profile_id uuid not null,
      status text not null check (status in ('active', 'unlisted', 'sold')),
      asking_price bigint not null check (asking_price > 0),
      listed_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql("create index listings_active on listings (plate_id) where status = 'active'");

    this.addSql(`create table offers (
      id uuid primary key,
      plate_id uuid not null references plates (id),
      buyer_profile_id uuid not null,
      amount bigint not null check (amount > 0),
      message text,
      status text not null
        check (status in ('pending', 'accepted', 'rejected', 'withdrawn', 'expired')),
      reason text,
      expires_at timestamptz not null,
      -- Milliseconds, as the API shows them, so a page cursor names the row exactly.
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    )`);
    // The rule "one pending offer per buyer per plate" holds even if a code path forgets it.
    this.addSql(`create unique index offers_one_pending on offers (plate_id, buyer_profile_id)
      where status = 'pending'`);
    this.addSql('create index offers_plate on offers (plate_id, created_at, id)');
    this.addSql('create index offers_buyer on offers (buyer_profile_id, created_at, id)');
    this.addSql("create index offers_expiry on offers (expires_at) where status = 'pending'");
  }
}
