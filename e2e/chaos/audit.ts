import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { streamName } from '@reggie/contracts';
import type { TestS3 } from '@reggie/testing';
import pg from 'pg';
import { sleep } from './servers.ts';
import type { Ledger, Op } from './workload.ts';

/** Which services apply which events; each must record every one in its inbox. */
export const CONSUMED: Record<string, string[]> = {
  'claim.approved': ['plates'],
  'profile.deleted': ['plates', 'claims'],
};
const SCHEMAS = ['profiles', 'plates', 'claims'] as const;

export interface AuditInput {
  databaseUrl: string;
  natsUrl: string;
  prefix: string;
  ledger: Ledger;
  s3?: TestS3;
  /** /metrics ports of the live service processes, for the inbox dedupe counter. */
  metricsPorts?: number[];
}

export interface AuditRow {
  label: string;
  sent: number;
  acked: number;
  /** Answered 4xx: business refusals, such as accepting an offer a racing reject closed. */
  refused: number;
  /** No answer or 5xx after every retry: what the faults cost clients. */
  failed: number;
  /** Operations that needed more than one attempt. */
  retried: number;
  persisted: number;
  /** Outbox rows marked published, of all outbox rows. */
  published: number;
  outbox: number;
  /** Messages in the events stream. */
  streamed: number;
  /** Inbox rows for the consumed events, of the rows there should be. */
  applied: number;
  toApply: number;
  /** Redeliveries the inboxes turned away (live processes only): harmless by design. */
  deduped: number;
  deadLetters: number;
  /** Effects that happened more than once. Must be 0. */
  duplicates: number;
  /** Acknowledged but not persisted, persisted without its event, or not published or applied. */
  lost: number;
  /** Warnings and errors the processes logged after the fault struck: proof it was felt. */
  warnings?: number;
  /** Contradictory state and what each lost or duplicated count was. */
  problems: string[];
}

interface OutboxRow {
  schema: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
  published: boolean;
}

interface Snapshot {
  outbox: OutboxRow[];
  inbox: Set<string>;
  claims: Map<
    string,
    { status: string; claimant: string; registration: string; submitted: boolean }
  >;
  documents: Map<string, { status: string; key: string }>;
  offers: Map<string, { status: string; plate: string }>;
  holders: Map<string, string | null>;
}

/**
 * Waits until every outbox row is published and every consumed event is in its consumers'
 * inboxes, or `timeoutMs` passes; the audit that follows says what is still missing.
 */
export async function settle(databaseUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = await withDb(databaseUrl, async (db) => {
      const snap = await snapshot(db);
      const pending = snap.outbox.some((r) => !r.published);
      return !pending && unapplied(snap).length === 0;
    }).catch(() => false);
    if (done) return true;
    await sleep(500);
  }
  return false;
}

export async function audit(label: string, input: AuditInput): Promise<AuditRow> {
  const snap = await withDb(input.databaseUrl, snapshot);
  const { streamed, bySource, deadLetters } = await streamCounts(input.natsUrl, input.prefix);
  const problems: string[] = [];
  const acked = input.ledger.ops.filter((o) => o.acked);

  const notPersisted = await missingEffects(acked, snap, input.s3);
  report(problems, 'acknowledged but not persisted', notPersisted);
  const events = eventCounts(snap.outbox);
  const missing = missingEvents(snap, events);
  report(problems, 'persisted without its event', missing.lost);
  report(problems, 'event recorded twice', missing.twice);
  const unpublished = snap.outbox.filter((r) => !r.published).map((r) => `${r.type} ${r.id}`);
  report(problems, 'never published', unpublished);
  const notApplied = unapplied(snap);
  report(problems, 'published but not applied', notApplied);

  const gaps = streamGaps(snap.outbox, bySource);
  report(problems, 'outbox rows missing from the stream', gaps.missing);
  report(problems, 'published to the stream more than once', gaps.extra);
  report(problems, 'inconsistent', inconsistencies(snap));

  const toApply = consumedEvents(snap).length;
  return {
    label,
    sent: input.ledger.ops.length,
    acked: acked.length,
    refused: input.ledger.ops.filter((o) => o.status >= 400 && o.status < 500).length,
    failed: input.ledger.ops.filter((o) => o.status === 0 || o.status >= 500).length,
    retried: input.ledger.ops.filter((o) => o.attempts > 1).length,
    persisted: acked.length - notPersisted.length,
    published: snap.outbox.filter((r) => r.published).length,
    outbox: snap.outbox.length,
    streamed,
    applied: toApply - notApplied.length,
    toApply,
    deduped: await dedupedCount(input.metricsPorts ?? []),
    deadLetters,
    duplicates: missing.twice.length + gaps.extra.length,
    lost:
      notPersisted.length +
      missing.lost.length +
      unpublished.length +
      notApplied.length +
      gaps.missing.length,
    problems,
  };
}

function report(problems: string[], what: string, items: string[]) {
  if (items.length > 0) problems.push(`${what} (${items.length}): ${items.slice(0, 5).join('; ')}`);
}

async function snapshot(db: pg.Client): Promise<Snapshot> {
  const outbox: OutboxRow[] = [];
  for (const schema of SCHEMAS) {
    const rows = await db.query<Omit<OutboxRow, 'schema'>>(
      `select id, type, envelope->'data' as data, published_at is not null as published
         from ${schema}.outbox`,
    );
    outbox.push(...rows.rows.map((r) => ({ ...r, schema })));
  }
  const inbox = await db.query<{ key: string }>(
    `select consumer || ':' || event_id as key from plates.inbox
     union all select consumer || ':' || event_id from claims.inbox`,
  );
  const claims = await db.query(
    'select id, status, claimant_profile_id, registration, submitted_at from claims.claims',
  );
  const documents = await db.query('select id, status, object_key from claims.documents');
  const offers = await db.query('select id, status, plate_id from plates.offers');
  const plates = await db.query('select registration, holder_profile_id from plates.plates');

  return {
    outbox,
    inbox: new Set(inbox.rows.map((r) => r.key)),
    claims: new Map(
      claims.rows.map((r) => [
        r.id,
        {
          status: r.status,
          claimant: r.claimant_profile_id,
          registration: r.registration,
          submitted: r.submitted_at !== null,
        },
      ]),
    ),
    documents: new Map(documents.rows.map((r) => [r.id, { status: r.status, key: r.object_key }])),
    offers: new Map(offers.rows.map((r) => [r.id, { status: r.status, plate: r.plate_id }])),
    holders: new Map(plates.rows.map((r) => [r.registration, r.holder_profile_id])),
  };
}

/** The acknowledged operations whose effect is not in the database (or the bucket). */
async function missingEffects(acked: Op[], snap: Snapshot, s3?: TestS3): Promise<string[]> {
  const missing: string[] = [];
  const store = s3 ? s3Client(s3) : null;
  for (const op of acked) {
    const ok = await effectPresent(op, snap, store, s3?.bucket ?? '');
    if (!ok) missing.push(`${op.kind} ${op.ref ?? '(no id)'}`);
  }
  store?.destroy();
  return missing;
}

const CLOSED_AS: Partial<Record<Op['kind'], string>> = {
  'offer.withdraw': 'withdrawn',
  'offer.accept': 'accepted',
  'offer.reject': 'rejected',
};

async function effectPresent(op: Op, snap: Snapshot, store: S3Client | null, bucket: string) {
  const claim = op.ref ? snap.claims.get(op.ref) : undefined;
  const offer = op.ref ? snap.offers.get(op.ref) : undefined;
  switch (op.kind) {
    case 'claim.start':
      return !!claim;
    case 'claim.submit':
      return !!claim?.submitted;
    case 'claim.approve':
      return claim?.status === 'approved';
    case 'claim.upload':
      return uploaded(op.ref, snap, store, bucket);
    case 'offer.make':
      return !!offer;
    case 'offer.withdraw':
    case 'offer.accept':
    case 'offer.reject':
      return offer?.status === CLOSED_AS[op.kind];
  }
}

async function uploaded(
  ref: string | undefined,
  snap: Snapshot,
  store: S3Client | null,
  bucket: string,
) {
  const doc = ref ? snap.documents.get(ref) : undefined;
  if (!doc) return false;
  // Verified means the claims service itself found the bytes in the bucket at submit.
  if (doc.status === 'verified') return true;
  if (!store) return false;
  try {
    await store.send(new HeadObjectCommand({ Bucket: bucket, Key: doc.key }));
    return true;
  } catch {
    return false;
  }
}

function s3Client(s3: TestS3): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** Outbox events by `<type>:<entity id>`, the entity being the claim or the offer. */
function eventCounts(outbox: OutboxRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of outbox) {
    const offer = row.data.offer as { id?: string } | undefined;
    const entity = offer?.id ?? (row.data.claimId as string | undefined);
    if (!entity) continue;
    const key = `${row.type}:${entity}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const OFFER_EVENT: Record<string, string> = {
  withdrawn: 'offer.withdrawn',
  accepted: 'offer.accepted',
  rejected: 'offer.rejected',
  expired: 'offer.expired',
};

/** Every persisted change must have produced exactly one event saying so. */
function missingEvents(snap: Snapshot, counts: Map<string, number>) {
  const expected: string[] = [];
  for (const [id, claim] of snap.claims) {
    expected.push(`claim.created:${id}`);
    if (claim.submitted) expected.push(`claim.submitted:${id}`);
    if (claim.status === 'approved') {
      expected.push(`claim.approved:${id}`);
      // Plates announces the holding the approval caused, exactly once.
      if (snap.holders.get(claim.registration) === claim.claimant)
        expected.push(`plate.holder_changed:${id}`);
    }
  }
  for (const [id, offer] of snap.offers) {
    expected.push(`offer.made:${id}`);
    const closing = OFFER_EVENT[offer.status];
    if (closing) expected.push(`${closing}:${id}`);
  }

  const lost = expected.filter((key) => !counts.has(key));
  const twice = [...counts].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
  return { lost, twice };
}

function consumedEvents(snap: Snapshot): string[] {
  return snap.outbox.flatMap((row) =>
    (CONSUMED[row.type] ?? []).map((consumer) => `${consumer}:${row.id}`),
  );
}

function unapplied(snap: Snapshot): string[] {
  return consumedEvents(snap).filter((key) => !snap.inbox.has(key));
}

function streamGaps(outbox: OutboxRow[], bySource: Map<string, number>) {
  const missing: string[] = [];
  const extra: string[] = [];
  for (const schema of SCHEMAS) {
    const published = outbox.filter((r) => r.schema === schema && r.published).length;
    const streamed = bySource.get(schema) ?? 0;
    if (streamed < published) missing.push(`${schema}: ${published - streamed}`);
    if (streamed > published) extra.push(`${schema}: ${streamed - published}`);
  }
  return { missing, extra };
}

/** At most one accepted offer per plate; every holder is the claimant of an approved claim. */
function inconsistencies(snap: Snapshot): string[] {
  const found: string[] = [];
  const accepted = new Map<string, number>();
  for (const offer of snap.offers.values()) {
    if (offer.status === 'accepted')
      accepted.set(offer.plate, (accepted.get(offer.plate) ?? 0) + 1);
  }
  for (const [plate, n] of accepted)
    if (n > 1) found.push(`plate ${plate} has ${n} accepted offers`);

  const approved = new Map<string, string>();
  for (const claim of snap.claims.values()) {
    if (claim.status === 'approved') approved.set(claim.registration, claim.claimant);
  }
  for (const [registration, claimant] of approved) {
    const holder = snap.holders.get(registration);
    if (holder !== claimant)
      found.push(`${registration} held by ${holder}, approved for ${claimant}`);
  }
  for (const [registration, holder] of snap.holders) {
    if (holder && approved.get(registration) !== holder)
      found.push(`${registration} held by ${holder} without an approved claim`);
  }
  return found;
}

async function streamCounts(natsUrl: string, prefix: string) {
  const nc = await connect({ servers: natsUrl, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(streamName(prefix, 'EVENTS'), {
      subjects_filter: `${prefix}.evt.>`,
    });
    const bySource = new Map<string, number>();
    for (const [subject, n] of Object.entries(info.state.subjects ?? {})) {
      const source = subject.split('.')[2] ?? '';
      bySource.set(source, (bySource.get(source) ?? 0) + n);
    }
    const dlq = await jsm.streams.info(streamName(prefix, 'DLQ'));
    return { streamed: info.state.messages, bySource, deadLetters: dlq.state.messages };
  } finally {
    await nc.close();
  }
}

/** Sums a counter over the given /metrics endpoints, optionally only series matching `labels`. */
export async function scrapeCounter(
  ports: number[],
  metric: string,
  labels: Record<string, string> = {},
): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
        const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
        if (wanted) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    }),
  );
}

async function dedupedCount(ports: number[]): Promise<number> {
  const counts = await scrapeCounter(ports, 'reggie_events_consumed_total', {
    result: 'duplicate',
  }).catch(() => []);
  return counts.reduce((a, b) => a + b, 0);
}

export async function withDb<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

const COLUMNS: [string, (r: AuditRow) => string][] = [
  ['after', (r) => r.label],
  ['sent', (r) => String(r.sent)],
  ['acked (2xx)', (r) => String(r.acked)],
  ['4xx', (r) => String(r.refused)],
  ['failed', (r) => String(r.failed)],
  ['retried', (r) => String(r.retried)],
  ['service warnings', (r) => (r.warnings === undefined ? '-' : String(r.warnings))],
  ['persisted', (r) => String(r.persisted)],
  ['events published', (r) => `${r.published}/${r.outbox} (stream ${r.streamed})`],
  ['events applied', (r) => `${r.applied}/${r.toApply}`],
  ['dedupe hits', (r) => String(r.deduped)],
  ['dead letters', (r) => String(r.deadLetters)],
  ['duplicates', (r) => String(r.duplicates)],
  ['lost', (r) => String(r.lost)],
];

export function formatTable(rows: AuditRow[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}
