import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeCounter, withDb } from '../chaos/audit.ts';
import { sleep } from '../chaos/servers.ts';
import { type Client, createClient, type Ledger, markSource, PDF } from '../chaos/workload.ts';
import {
  createScratchDatabase,
  type RunningSystem,
  type ScratchDatabase,
  type ServiceProcess,
  startSystem,
} from '../src/index.ts';

const admin = 'user_scale_admin';
// Offers live four seconds, so the sweeps of both plates replicas have work while we watch.
const OFFER_TTL_DAYS = String(4 / 86_400);
const SCHEMAS = ['profiles', 'plates', 'claims'];

let system: RunningSystem;
let scratch: ScratchDatabase;
let client: Client;
const ledger: Ledger = { ops: [], phase: 'scale' };
const nextMark = markSource();
const run = Date.now().toString(36);
const user = (role: string, i: number) => `user_scale_${role}_${i}_${run}`;

beforeAll(async () => {
  const bus = testBus('scaleout');
  scratch = await createScratchDatabase(bus.databaseUrl, 'scaleout');
  // Both replicas of plates and of claims start at once, on empty schemas: they race to migrate.
  system = await startSystem({
    bus: { ...bus, databaseUrl: scratch.url },
    services: ['profiles', 'plates', 'plates', 'claims', 'claims'],
    env: {
      profiles: { ADMIN_CLERK_IDS: admin },
      plates: { OFFER_TTL_DAYS, OFFER_SWEEP_INTERVAL_MS: '1000' },
    },
  });
  const replica = await system.startReplica('gateway');
  const line = await replica.waitForLog((l) => l.msg === 'gateway listening');
  const gateways = [system.url, `http://127.0.0.1:${line.port as number}`];
  client = createClient({ gateways: () => gateways, token: system.token, ledger });
});

afterAll(async () => {
  await system?.stop();
  await scratch?.drop();
});

const running = (name: string) =>
  system.processes.filter(
    (p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null,
  );

async function metricsPorts(name: string): Promise<number[]> {
  const ready = (p: ServiceProcess) => p.waitForLog((l) => l.msg === 'service ready', 5_000);
  return Promise.all(running(name).map(async (p) => (await ready(p)).httpPort as number));
}

async function perReplica(name: string, metric: string, labels: Record<string, string>) {
  return scrapeCounter(await metricsPorts(name), metric, labels);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const query = <T>(sql: string, params: unknown[] = []) =>
  withDb(scratch.url, async (db) => (await db.query(sql, params)).rows as T[]);

async function makeOffers(count: number, tag: string, concurrency = 5): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const i = next++;
      const res = await client.write(
        'offer.make',
        user(tag, i),
        'POST',
        `/plates/${nextMark()}/offers`,
        {
          amount: 5_000 + i,
        },
      );
      if (res.op.acked) ids.push(res.body.id as string);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return ids;
}

async function claimAndApprove(holder: string): Promise<string> {
  const mark = nextMark();
  const started = await client.write('claim.start', holder, 'POST', '/claims', {
    registration: mark,
    contentType: 'application/pdf',
    size: PDF.length,
  });
  expect(started.op.status).toBe(201);
  const claim = started.body.claim as { id: string };
  const upload = started.body.upload as { url: string; headers: Record<string, string> };
  expect((await client.upload(holder, upload.url, upload.headers, claim.id)).status).toBe(200);
  const submitted = await client.write(
    'claim.submit',
    holder,
    'POST',
    `/claims/${claim.id}/submit`,
  );
  expect(submitted.op.status).toBe(200);
  const path = `/admin/claims/${claim.id}/approve`;
  expect((await client.write('claim.approve', admin, 'POST', path, {})).op.status).toBe(200);
  return claim.id;
}

describe('scale-out: two replicas each of the gateway, plates and claims', () => {
  it('replicas that start together apply each migration once, and all of them serve', async () => {
    expect(running('plates')).toHaveLength(2);
    expect(running('claims')).toHaveLength(2);
    expect(running('gateway')).toHaveLength(2);

    for (const schema of SCHEMAS) {
      const rows = await query<{ name: string; n: number }>(
        `select name, count(*)::int as n from ${schema}.schema_migrations group by name`,
      );
      expect(rows.length, schema).toBeGreaterThanOrEqual(2);
      expect(
        rows.every((r) => r.n === 1),
        schema,
      ).toBe(true);
    }
    // The migration lock let one replica of each service apply; the other found nothing to do.
    for (const name of ['plates', 'claims']) {
      const appliers = running(name).filter((p) =>
        p.output.some((l) => l.includes('"migrations applied"')),
      );
      expect(appliers, name).toHaveLength(1);
    }
  });

  it('commands are shared by the replicas of a service, each handled exactly once', async () => {
    const metric = 'reggie_command_duration_seconds_count';
    const offersBefore = await perReplica('plates', metric, { command: 'plates.make_offer' });
    const claimsBefore = await perReplica('claims', metric, { command: 'claims.start' });

    const first = ledger.ops.length;
    const offers = await makeOffers(40, 'share');
    const starts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.write('claim.start', user('starter', i), 'POST', '/claims', {
          registration: nextMark(),
          contentType: 'application/pdf',
          size: PDF.length,
        }),
      ),
    );
    expect(offers).toHaveLength(40);
    expect(starts.map((s) => s.op.status)).toEqual(Array(12).fill(201));

    const offersAfter = await perReplica('plates', metric, { command: 'plates.make_offer' });
    const claimsAfter = await perReplica('claims', metric, { command: 'claims.start' });
    const handledOffers = offersAfter.map((n, i) => n - (offersBefore[i] ?? 0));
    const handledStarts = claimsAfter.map((n, i) => n - (claimsBefore[i] ?? 0));
    console.log(`plates.make_offer per replica ${handledOffers}; claims.start ${handledStarts}`);
    // A command is sent per attempt; a loaded machine may need a retry now and then.
    const sent = (kind: string) =>
      sum(
        ledger.ops
          .slice(first)
          .filter((o) => o.kind === kind)
          .map((o) => o.attempts),
      );
    expect(handledOffers.every((n) => n > 0)).toBe(true);
    expect(sum(handledOffers)).toBe(sent('offer.make'));
    expect(handledStarts.every((n) => n > 0)).toBe(true);
    expect(sum(handledStarts)).toBe(sent('claim.start'));
  });

  it('each event is applied exactly once by each consuming service', async () => {
    const claimIds: string[] = [];
    for (let i = 0; i < 6; i++) claimIds.push(await claimAndApprove(user('holder', i)));
    const erased = Array.from({ length: 4 }, (_, i) => user('erased', i));
    for (const sub of erased) {
      expect(
        (
          await client.write('offer.make', sub, 'POST', `/plates/${nextMark()}/offers`, {
            amount: 7_000,
          })
        ).op.status,
      ).toBe(201);
      const res = await fetch(`${system.url}/me`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${system.token(sub)}` },
      });
      expect(res.status).toBe(202);
    }

    const approvals = await query<{ id: string }>(
      "select id from claims.outbox where type = 'claim.approved'",
    );
    const deletions = await query<{ id: string }>(
      "select id from profiles.outbox where type = 'profile.deleted'",
    );
    expect(approvals).toHaveLength(6);
    expect(deletions).toHaveLength(4);
    const expected = [
      ...approvals.map((e) => `plates:${e.id}`),
      ...deletions.flatMap((e) => [`plates:${e.id}`, `claims:${e.id}`]),
    ];

    const inbox = await eventually(
      async () => {
        const rows = await query<{ key: string }>(
          `select consumer || ':' || event_id as key from plates.inbox
         union all select consumer || ':' || event_id from claims.inbox`,
        );
        const keys = rows.map((r) => r.key);
        return expected.every((k) => keys.includes(k)) ? keys : undefined;
      },
      30_000,
      'every event in its consumers’ inboxes',
    );
    expect(inbox.filter((k) => expected.includes(k))).toHaveLength(expected.length);

    const consumed = 'reggie_events_consumed_total';
    const applied = (name: string, type: string) =>
      perReplica(name, consumed, { type, result: 'applied' });
    const duplicates = async (name: string) =>
      sum(await perReplica(name, consumed, { result: 'duplicate' }));
    console.log(
      `claim.approved applied per plates replica ${await applied('plates', 'claim.approved')}`,
    );
    expect(sum(await applied('plates', 'claim.approved'))).toBe(6);
    expect(sum(await applied('plates', 'profile.deleted'))).toBe(4);
    expect(sum(await applied('claims', 'profile.deleted'))).toBe(4);
    expect(await duplicates('plates')).toBe(0);
    expect(await duplicates('claims')).toBe(0);

    const holders = await query<{ id: string }>(
      `select c.id from claims.claims c join plates.plates p
         on p.registration = c.registration and p.holder_profile_id = c.claimant_profile_id
       where c.id = any($1::uuid[])`,
      [claimIds],
    );
    expect(holders).toHaveLength(6);
  });

  it('the expiry sweeps of both plates replicas expire each overdue offer exactly once', async () => {
    const made = await makeOffers(30, 'expiring');
    expect(made).toHaveLength(30);

    await eventually(
      async () => {
        const [row] = await query<{ n: number }>(
          "select count(*)::int as n from plates.offers where status = 'pending'",
        );
        return row?.n === 0 ? true : undefined;
      },
      30_000,
      'every offer expired',
    );

    const events = await query<{ id: string; status: string; n: number }>(
      `select o.id, o.status, count(e.id)::int as n from plates.offers o
         left join plates.outbox e
           on e.type = 'offer.expired' and e.envelope->'data'->'offer'->>'id' = o.id::text
       group by o.id, o.status`,
    );
    const expired = events.filter((e) => e.status === 'expired');
    expect(expired.length).toBeGreaterThanOrEqual(made.length);
    expect(expired.filter((e) => e.n !== 1)).toEqual([]);

    // What the replicas say they expired adds up to the same number: nothing counted twice.
    const logged = () =>
      sum(
        running('plates').flatMap((p) =>
          p.output.filter((l) => l.includes('"offers expired"')).map((l) => JSON.parse(l).expired),
        ),
      );
    await eventually(async () => (logged() >= expired.length ? true : undefined), 5_000);
    expect(logged()).toBe(expired.length);
  });

  it('a SIGKILLed plates replica loses no write that was acknowledged to a client', async () => {
    const acked: { id: string; at: number }[] = [];
    let killedAt = 0;
    const stopAt = Date.now() + 9_000;
    let i = 0;
    const writer = async () => {
      while (Date.now() < stopAt) {
        const n = i++;
        const res = await client.write(
          'offer.make',
          user('stream', n % 50),
          'POST',
          `/plates/${nextMark()}/offers`,
          { amount: 9_000 + n },
        );
        if (res.op.acked) acked.push({ id: res.body.id as string, at: Date.now() });
      }
    };
    const writers = Promise.all(Array.from({ length: 5 }, writer));
    await sleep(2_500);
    const [victim] = running('plates');
    killedAt = Date.now();
    await victim?.stop('SIGKILL');
    await writers;

    const after = acked.filter((a) => a.at > killedAt);
    console.log(`acked ${acked.length} offers, ${after.length} after the SIGKILL`);
    expect(after.length).toBeGreaterThan(0);
    const ids = acked.map((a) => a.id);
    const stored = await query<{ id: string }>(
      'select id from plates.offers where id = any($1::uuid[])',
      [ids],
    );
    expect(stored).toHaveLength(ids.length);

    // Each stored offer was announced, and the survivor's relay publishes what the dead one left.
    await eventually(
      async () => {
        const rows = await query<{ made: number; pending: number }>(
          `select count(*) filter (where type = 'offer.made'
                  and envelope->'data'->'offer'->>'id' = any($1::text[]))::int as made,
                count(*) filter (where published_at is null)::int as pending
           from plates.outbox`,
          [ids],
        );
        return rows[0]?.made === ids.length && rows[0]?.pending === 0 ? true : undefined;
      },
      30_000,
      'every acknowledged offer announced and published',
    );
  });
});
