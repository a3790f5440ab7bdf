import { Migration } from '@reggie/db';

export class ProfilesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table profiles (
      id uuid primary key,
      clerk_id text not null,
      role text not null default 'user' check (role in ('user', 'admin')),
      display_name text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint profiles_clerk_id_unique unique (clerk_id)
    )`);
    this.addSql('create index profiles_created on profiles (created_at, id)');
    this.addSql('create index profiles_role on profiles (role, created_at, id)');
  }
}
