import { Migration } from '@reggie/db';

/**
 * Lets the audit log record a reviewer reading the review queue. A page of the queue shows
 * up to 100 claims (mark, claimant id, document sizes and checksums), so it is one row per
 * page served, naming the claims in `detail.claimIds`, with no claim id of its own: a row
 * per listed claim would write a hundred rows each time an admin's screen refreshes, and a
 * page that listed nothing would leave no trace at all. Every other action still names its
 * claim, which the check keeps true; the index answers "who has seen claim X in the queue".
 */
export class AuditQueueViewsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table audit_log alter column claim_id drop not null');
    this.addSql(`alter table audit_log add constraint audit_log_claim_named
      check (claim_id is not null or action = 'queue.viewed')`);
    this.addSql(`create index audit_log_queue_claims on audit_log
      using gin ((detail -> 'claimIds') jsonb_path_ops) where action = 'queue.viewed'`);
  }
}
