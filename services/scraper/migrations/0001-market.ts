import { Migration } from '@reggie/db';

export class MarketMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table dealers (
      id uuid primary key,
      name text not null,
      base_url text not null,
      start_paths text[] not null,
      parser jsonb not null,
      enabled boolean not null default true,
      next_crawl_at timestamptz not null default now(),
      last_started_at timestamptz,
      last_finished_at timestamptz,
      last_outcome text,
      lease_owner text,
      lease_expires_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql('create index dealers_due on dealers (next_crawl_at) where enabled');
    this.addSql(`create table listings (
      id uuid primary key,
      dealer_id uuid not null references dealers (id) on delete cascade,
      registration text not null,
      display text not null,
      style text not null,
      lookalike text not null,
      price_pence bigint,
      url text not null,
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      active boolean not null default true,
      inactive_since timestamptz,
      constraint listings_dealer_registration unique (dealer_id, registration)
    )`);
    this.addSql('create index listings_registration on listings (registration)');
    this.addSql('create index listings_stale on listings (last_seen_at) where active');
    this.addSql('create index listings_style on listings (style) where active');
    this.addSql(`create table price_history (
      id bigserial primary key,
      listing_id uuid not null references listings (id) on delete cascade,
      price_pence bigint,
      seen_at timestamptz not null
    )`);
    this.addSql('create index price_history_listing on price_history (listing_id, seen_at)');
    this.addSql(`create table crawl_runs (
      id uuid primary key,
      dealer_id uuid not null references dealers (id) on delete cascade,
      trigger text not null check (trigger in ('schedule', 'admin')),
      status text not null check (status in ('queued', 'running', 'finished')),
      outcome text,
      instance text,
      requested_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz,
      pages_fetched integer not null default 0,
      listings_seen integer not null default 0,
      errors integer not null default 0,
      problem_counts jsonb not null default '{}'::jsonb,
      problems jsonb not null default '[]'::jsonb
    )`);
    this.addSql('create index crawl_runs_recent on crawl_runs (requested_at, id)');
    this.addSql('create index crawl_runs_dealer on crawl_runs (dealer_id, status)');
    // One row per host (with port): whose turn it is, and the robots.txt verdict every
    // replica shares. The row lock is held across each request to the host.
    this.addSql(`create table hosts (
      host text primary key,
      next_allowed_at timestamptz not null default now(),
      robots jsonb,
      robots_expires_at timestamptz,
      rate_limit_streak integer not null default 0
    )`);
  }
}
