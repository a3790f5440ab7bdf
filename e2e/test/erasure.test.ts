import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { eventually, testBus, testS3 } from '@reggie/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMark, type RunningSystem, realPdf, startSystem } from '../src/index.ts';

const stamp = Date.now();
const admin = `user_erasure_admin_${stamp}`;
const leaver = `user_leaver_${stamp}`;
const displayName = `Erin Leaver ${stamp}`;
const message = `Call me on 07700 ${String(stamp).slice(-6)}`;
const bus = testBus('erasure');
const schemas = ['profiles', 'plates', 'claims'];
let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    bus,
    services: ['profiles', 'plates', 'claims'],
    env: { profiles: { ADMIN_CLERK_IDS: admin } },
  });
});

afterAll(async () => {
  await system?.stop();
});

async function call(path: string, as: string, method = 'GET', json?: unknown) {
  const res = await system.request(path, { as, method, json });
  const body = res.status === 204 ? null : await res.json();
  return { status: res.status, body: body as Record<string, unknown> & { id?: string } };
}

/** Starts a claim and uploads a real PDF for it; submits it unless told not to. */
async function claimWithDocument(mark: string, submit: boolean) {
  const pdf = realPdf(`V5C ${mark} ${displayName}`);
  const started = await call('/claims', leaver, 'POST', {
    registration: mark,
    contentType: 'application/pdf',
    size: pdf.length,
  });
  expect(started.status).toBe(201);
  const { claim, upload } = started.body as unknown as {
    claim: { id: string };
    upload: { url: string };
  };
  const put = await fetch(upload.url, {
    method: 'PUT',
    headers: { 'content-type': 'application/pdf' },
    body: pdf,
  });
  expect(put.status).toBe(200);
  if (submit) expect((await call(`/claims/${claim.id}/submit`, leaver, 'POST')).status).toBe(200);
  return claim.id;
}

/** The table a string was found in, for a failure that says where. */
function where(dump: string, text: string): string {
  const at = dump.indexOf(text);
  return dump.slice(0, at).split('\n').at(-1)?.slice(0, 40) ?? '?';
}

/** Every row of every table in the services' schemas, as one string to search. */
async function everything(): Promise<string> {
  const client = new pg.Client({ connectionString: bus.databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_schema = any($1) and table_type = 'BASE TABLE'`,
      [schemas],
    );
    const dumps: string[] = [];
    for (const t of tables.rows) {
      const rows = await client.query(`select * from "${t.schema}"."${t.name}"`);
      dumps.push(`${t.schema}.${t.name} ${JSON.stringify(rows.rows)}`);
    }
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const s3 = testS3();
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
}

describe('erasure', () => {
  it('DELETE /me leaves nothing personal in any schema or in the bucket', async () => {
    const profile = await call('/me', leaver, 'PATCH', { displayName });
    expect(profile.status).toBe(200);

    // A held, listed plate (through an approved claim), an offer with a message, a claim
    // under review and one still waiting for its document to be submitted.
    const held = freshMark();
    const approvedClaim = await claimWithDocument(held, true);
    expect((await call(`/admin/claims/${approvedClaim}/approve`, admin, 'POST', {})).status).toBe(
      200,
    );
    await eventually(
      async () => {
        const mine = await call('/my-plates', leaver);
        return JSON.stringify(mine.body).includes(held.replace(' ', '')) ? true : undefined;
      },
      15_000,
      'the approved plate in /my-plates',
    );
    const listing = await call(`/my-plates/${encodeURIComponent(held)}/listing`, leaver, 'PUT', {
      askingPrice: 250_000,
    });
    expect(listing.status).toBe(200);
    const offer = await call(`/plates/${encodeURIComponent(freshMark())}/offers`, leaver, 'POST', {
      amount: 50_000,
      message,
    });
    expect(offer.status).toBe(201);
    const reviewing = await claimWithDocument(freshMark(), true);
    const waiting = await claimWithDocument(freshMark(), false);
    expect(await objectsUnder(`claims/${reviewing}/`)).toHaveLength(1);

    const erased = await call('/me', leaver, 'DELETE');
    expect(erased.status).toBe(202);

    // The services forget the person as the profile.deleted event reaches them.
    let remains: string[] = [];
    const gone = await eventually(
      async () => {
        const dump = await everything();
        const found = [leaver, displayName, message].filter((s) => dump.includes(s));
        remains = [
          ...found.map((s) => `${s} in ${where(dump, s)}`),
          ...(await objectsUnder(`claims/${approvedClaim}/`)),
          ...(await objectsUnder(`claims/${reviewing}/`)),
          ...(await objectsUnder(`claims/${waiting}/`)),
        ];
        return remains.length === 0 ? true : undefined;
      },
      30_000,
      'every trace of the profile to be gone',
    ).catch(() => false);
    expect(remains).toEqual([]);
    expect(gone).toBe(true);

    const plate = await call(`/plates/${encodeURIComponent(held)}`, admin);
    expect(plate.body).toMatchObject({ held: false, listing: null });
    const claims = await call('/admin/claims?status=pending_review&limit=100', admin);
    expect(JSON.stringify(claims.body)).not.toContain(reviewing);
  });
});
