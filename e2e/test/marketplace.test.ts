import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMark, type RunningSystem, realPdf, startSystem } from '../src/index.ts';

// The whole marketplace as a person meets it, through the gateway with dev tokens and the
// real claims service: nothing is published by hand, the holding comes from an approval.

const run = Date.now().toString(36);
const user = (name: string) => `user_market_${name}_${run}`;
const [admin, buyerA, buyerB, holder] = [user('admin'), user('a'), user('b'), user('h')];

type Json = Record<string, unknown>;

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    bus: testBus('marketplace'),
    services: ['profiles', 'plates', 'claims'],
    env: { profiles: { ADMIN_CLERK_IDS: admin } },
  });
});

afterAll(async () => {
  await system?.stop();
});

/** Sends a request and answers the status with the parsed body, which names any refusal. */
async function call(method: string, path: string, as?: string, json?: unknown) {
  const res = await system.request(path, { method, as, json });
  return { status: res.status, body: (await res.json()) as Json };
}

async function expectOk(method: string, path: string, as?: string, json?: unknown) {
  const res = await call(method, path, as, json);
  expect(res, `${method} ${path}`).toMatchObject({ status: method === 'POST' ? 201 : 200 });
  return res.body;
}

const platePath = (mark: string) => `/plates/${encodeURIComponent(mark)}`;

/** The claimant's side of a claim: declare the V5C, upload its bytes, submit for review. */
async function claimWithV5c(sub: string, mark: string): Promise<string> {
  const pdf = realPdf(`V5C ${mark}`);
  const started = await expectOk('POST', '/claims', sub, {
    registration: mark,
    contentType: 'application/pdf',
    size: pdf.length,
  });
  const upload = started.upload as { url: string; headers: Record<string, string> };
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: pdf });
  expect(put.status).toBe(200);

  const claimId = (started.claim as Json).id as string;
  const submitted = await call('POST', `/claims/${claimId}/submit`, sub);
  expect(submitted).toMatchObject({ status: 200, body: { status: 'pending_review' } });
  return claimId;
}

async function approveAsAdmin(claimId: string) {
  const queue = await expectOk('GET', '/admin/claims?status=pending_review&limit=100', admin);
  expect((queue.items as Json[]).map((c) => c.id)).toContain(claimId);
  const approved = await call('POST', `/admin/claims/${claimId}/approve`, admin, {});
  expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
}

async function offersOf(sub: string, direction: 'sent' | 'received') {
  const page = await expectOk('GET', `/offers?direction=${direction}`, sub);
  return page.items as Json[];
}

describe('the marketplace, end to end', () => {
  it('offers on an unheld mark reach its claimant; accepting one rejects the rest', async () => {
    const mark = freshMark();
    const before = await expectOk('GET', platePath(mark.toLowerCase()));
    expect(before).toMatchObject({ display: mark, held: false, listing: null });

    const fromA = await expectOk('POST', `${platePath(mark)}/offers`, buyerA, {
      amount: 250_000,
      message: 'Cash buyer, can move quickly.',
    });
    const fromB = await expectOk('POST', `${platePath(mark)}/offers`, buyerB, { amount: 200_000 });
    expect(await offersOf(holder, 'received')).toEqual([]);

    await approveAsAdmin(await claimWithV5c(holder, mark));

    const held = await eventually(
      async () => {
        const mine = await expectOk('GET', '/my-plates', holder);
        return (mine.items as Json[]).find((p) => p.display === mark);
      },
      20_000,
      `${mark} in the holder's /my-plates`,
    );
    expect(held).toMatchObject({ held: true, heldByYou: true });
    await expectHolderAccepts(fromA, fromB);
  });
});

/** The holder sees both offers, accepts A's; B's is rejected; each buyer sees the outcome. */
async function expectHolderAccepts(fromA: Json, fromB: Json) {
  const received = await offersOf(holder, 'received');
  expect(received.map((o) => [o.id, o.status, o.amount]).sort()).toEqual(
    [
      [fromA.id, 'pending', 250_000],
      [fromB.id, 'pending', 200_000],
    ].sort(),
  );

  const accepted = await call('POST', `/offers/${fromA.id}/accept`, holder);
  expect(accepted).toMatchObject({ status: 200, body: { status: 'accepted', reason: 'holder' } });

  const outcome = (items: Json[], id: unknown) => {
    const found = items.find((o) => o.id === id);
    return found && [found.status, found.reason];
  };
  expect(outcome(await offersOf(buyerA, 'sent'), fromA.id)).toEqual(['accepted', 'holder']);
  expect(outcome(await offersOf(buyerB, 'sent'), fromB.id)).toEqual([
    'rejected',
    'another_accepted',
  ]);
  const after = await offersOf(holder, 'received');
  expect(outcome(after, fromB.id)).toEqual(['rejected', 'another_accepted']);
}
