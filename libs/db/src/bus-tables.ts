import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox and inbox every service keeps in its own schema. The outbox holds events
 * written in the same transaction as the change they describe, until the relay has
 * published them; the inbox records which events each consumer has already applied.
 */
export class BusTablesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table outbox (
      seq bigserial primary key,
      id uuid not null unique,
      type text not null,
      subject text not null,
      envelope jsonb not null,
      headers jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      attempts integer not null default 0,
      last_error text
    )`);
    this.addSql('create index outbox_pending on outbox (seq) where published_at is null');
    this.addSql(
      'create index outbox_published on outbox (published_at) where published_at is not null',
    );
    this.addSql(`create table inbox (
      consumer text not null,
      event_id uuid not null,
      handled_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`);
  }
}

export const busTablesMigration = { name: '0000_bus_tables', class: BusTablesMigration };
