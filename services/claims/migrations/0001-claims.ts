import { Migration } from '@reggie/db';

const OPEN = `('awaiting_document', 'pending_review')`;

export class ClaimsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table claims (
      id uuid primary key,
      registration text not null,
      display text not null,
      claimant_profile_id uuid not null,
      status text not null check (status in
        ('awaiting_document', 'pending_review', 'approved', 'rejected', 'withdrawn')),
      reviewer_profile_id uuid,
      decision_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      submitted_at timestamptz,
      closed_at timestamptz,
      check ((closed_at is null) = (status in ${OPEN}))
    )`);
    // The rule "one open claim per user per mark" lives here, so racing starts cannot break it.
    this.addSql(`create unique index claims_one_open_per_claimant
      on claims (claimant_profile_id, registration) where status in ${OPEN}`);
    this.addSql(`create index claims_open_by_registration on claims (registration, id)
      where status in ${OPEN}`);
    this.addSql('create index claims_by_claimant on claims (claimant_profile_id, created_at, id)');
    this.addSql('create index claims_by_status on claims (status, created_at, id)');
    this.addSql('create index claims_created on claims (created_at, id)');
    this.addSql('create index claims_closed on claims (closed_at) where closed_at is not null');

    this.addSql(`create table documents (
      id uuid primary key,
      claim_id uuid not null references claims (id),
      object_key text not null unique,
      content_type text not null check (content_type in
        ('application/pdf', 'image/jpeg', 'image/png')),
      size integer not null check (size between 1 and 10485760),
      status text not null default 'awaiting_upload'
        check (status in ('awaiting_upload', 'verified', 'rejected')),
      rejection text,
      checksum text,
      etag text,
      upload_expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      uploaded_at timestamptz,
      purge_after timestamptz,
      deleted_at timestamptz
    )`);
    this.addSql('create index documents_claim on documents (claim_id, created_at, id)');
    this.addSql(
      'create index documents_purge on documents (purge_after) where purge_after is not null',
    );
    this.addSql('create index documents_live on documents (claim_id) where deleted_at is null');

    this.addAuditLog();
  }

  // Append-only: reviewers' reads and decisions must stay on record, so the table refuses
  // UPDATE, DELETE and TRUNCATE for every role, the service's own included.
  private addAuditLog(): void {
    this.addSql(`create table audit_log (
      seq bigserial primary key,
      at timestamptz not null default now(),
      actor_profile_id uuid,
      action text not null,
      claim_id uuid not null,
      document_id uuid,
      detail jsonb not null default '{}'::jsonb
    )`);
    this.addSql('create index audit_log_claim on audit_log (claim_id, seq)');
    this.addSql(`create function audit_log_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
      end
    $$`);
    this.addSql(`create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function audit_log_refuse_change()`);
    this.addSql(`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_refuse_change()`);
  }
}
