import { sleep } from './servers.ts';

/** Every write a chaos or scale test sends through the gateway (and the upload to S3). */
export type OpKind =
  | 'claim.start'
  | 'claim.upload'
  | 'claim.submit'
  | 'claim.approve'
  | 'offer.make'
  | 'offer.withdraw'
  | 'offer.accept'
  | 'offer.reject';

export interface Op {
  kind: OpKind;
  phase: string;
  /** The final answer was 2xx. */
  acked: boolean;
  /** Last HTTP status; 0 when no answer came at all. */
  status: number;
  attempts: number;
  /** The claim, document or offer the operation is about. */
  ref?: string;
  actor: string;
}

export interface Ledger {
  ops: Op[];
  phase: string;
}

export interface ClientOptions {
  /** Live gateway base URLs; a request goes to the next one in turn. */
  gateways: () => string[];
  token: (sub: string) => string;
  ledger: Ledger;
  /** Attempts per operation, transient failures (no answer, 5xx, 429) retried. */
  maxAttempts?: number;
}

const RETRIED = new Set([0, 429, 500, 502, 503, 504]);
const ATTEMPT_TIMEOUT_MS = 10_000;

type Json = Record<string, unknown>;

export interface Client {
  /** Sends one write, retrying transient failures, and records it in the ledger. */
  write(
    kind: OpKind,
    as: string,
    method: string,
    path: string,
    json?: unknown,
  ): Promise<{ op: Op; body: Json }>;
  upload(as: string, url: string, headers: Record<string, string>, ref: string): Promise<Op>;
  read(as: string, path: string): Promise<{ status: number; body: Json }>;
}

export function createClient(options: ClientOptions): Client {
  const tokens = new Map<string, string>();
  const maxAttempts = options.maxAttempts ?? 5;
  let turn = 0;

  const bearer = (sub: string) => {
    let token = tokens.get(sub);
    if (!token) {
      token = options.token(sub);
      tokens.set(sub, token);
    }
    return `Bearer ${token}`;
  };
  const base = () => {
    const live = options.gateways();
    turn = (turn + 1) % Math.max(1, live.length);
    return live[turn] ?? live[0] ?? '';
  };

  const attempt = async (url: string, init: RequestInit) => {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      const text = await res.text();
      return {
        status: res.status,
        body: parseJson(text),
        retryAfter: res.headers.get('retry-after'),
      };
    } catch {
      return { status: 0, body: {} as Json, retryAfter: null };
    }
  };

  const withRetry = async (
    op: Op,
    send: () => Promise<{ status: number; body: Json; retryAfter: string | null }>,
  ) => {
    let last = { status: 0, body: {} as Json, retryAfter: null as string | null };
    for (let i = 0; i < maxAttempts; i++) {
      op.attempts++;
      last = await send();
      if (!RETRIED.has(last.status)) break;
      const wait = last.retryAfter ? Number(last.retryAfter) * 1000 : 300 * 2 ** i;
      await sleep(Math.min(wait, 3_000));
    }
    op.status = last.status;
    op.acked = last.status >= 200 && last.status < 300;
    options.ledger.ops.push(op);
    return last.body;
  };

  return {
    async write(kind, as, method, path, json) {
      const op: Op = {
        kind,
        phase: options.ledger.phase,
        acked: false,
        status: 0,
        attempts: 0,
        actor: as,
      };
      const headers: Record<string, string> = { authorization: bearer(as) };
      if (json !== undefined) headers['content-type'] = 'application/json';
      const body = await withRetry(op, () =>
        attempt(`${base()}${path}`, {
          method,
          headers,
          body: json === undefined ? undefined : JSON.stringify(json),
        }),
      );
      return { op, body };
    },
    async upload(as, url, headers, ref) {
      const op: Op = {
        kind: 'claim.upload',
        phase: options.ledger.phase,
        acked: false,
        status: 0,
        attempts: 0,
        ref,
        actor: as,
      };
      await withRetry(op, () => attempt(url, { method: 'PUT', headers, body: PDF }));
      return op;
    },
    async read(as, path) {
      const res = await attempt(`${base()}${path}`, { headers: { authorization: bearer(as) } });
      return { status: res.status, body: res.body };
    },
  };
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return {};
  }
}

/** Enough of a PDF for the claims service's signature check. */
export const PDF = new TextEncoder().encode('%PDF-1.4\n% a scanned V5C stands in here\n%%EOF\n');

const TAGS = 'ABCDEFGHKLMNOPRSVWXY';
const LETTERS = 'ABCDEFGHJKLMNOPRSTUVWXYZ';
const AGES = ['02', '09', '15', '21', '55', '58', '61', '70'];
const pick = (s: string | string[]) => s[Math.floor(Math.random() * s.length)] as string;

/** Fresh current-style marks, never the same one twice in a run. */
export function markSource(): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const mark =
        pick(TAGS) +
        pick(LETTERS.replace('Z', '')) +
        pick(AGES) +
        pick(LETTERS) +
        pick(LETTERS) +
        pick(LETTERS);
      if (!used.has(mark)) {
        used.add(mark);
        return mark;
      }
    }
  };
}

export interface Cast {
  admin: string;
  holders: string[];
  buyers: string[];
}

export function castOf(tag: string, holders = 16, buyers = 24): Cast {
  const names = (role: string, n: number) =>
    Array.from({ length: n }, (_, i) => `user_${tag}_${role}_${i}`);
  return {
    admin: `user_${tag}_admin`,
    holders: names('holder', holders),
    buyers: names('buyer', buyers),
  };
}

/**
 * One episode of marketplace life, ten writes: a holder claims a fresh mark (start, upload,
 * submit, admin approval); once plates shows the holding, three buyers offer at once, and
 * one offer is withdrawn, one rejected and one accepted, in random order so some of them
 * meet a closed offer (409) the way real racing users would.
 */
export async function episode(client: Client, cast: Cast, mark: string): Promise<void> {
  const holder = pick(cast.holders);
  const started = await client.write('claim.start', holder, 'POST', '/claims', {
    registration: mark,
    contentType: 'application/pdf',
    size: PDF.length,
  });
  const claim = started.body.claim as { id: string } | undefined;
  const upload = started.body.upload as
    | { documentId: string; url: string; headers: Record<string, string> }
    | undefined;
  if (!started.op.acked || !claim || !upload) return;
  started.op.ref = claim.id;

  const uploaded = await client.upload(holder, upload.url, upload.headers, upload.documentId);
  if (!uploaded.acked) return;
  const submitted = await client.write(
    'claim.submit',
    holder,
    'POST',
    `/claims/${claim.id}/submit`,
  );
  submitted.op.ref = claim.id;
  if (!submitted.op.acked) return;
  const approved = await client.write(
    'claim.approve',
    cast.admin,
    'POST',
    `/admin/claims/${claim.id}/approve`,
    {},
  );
  approved.op.ref = claim.id;
  if (!approved.op.acked) return;

  await waitForHolding(client, holder, mark);
  await offerRound(client, cast, holder, mark);
}

async function waitForHolding(client: Client, holder: string, mark: string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const plate = await client.read(holder, `/plates/${mark}`);
    if (plate.body.heldByYou === true) return;
    await sleep(250);
  }
}

async function offerRound(client: Client, cast: Cast, holder: string, mark: string) {
  const buyers = shuffle(cast.buyers).slice(0, 3);
  const made = await Promise.all(
    buyers.map(async (buyer, i) => {
      const res = await client.write('offer.make', buyer, 'POST', `/plates/${mark}/offers`, {
        amount: 10_000 + i * 2_500,
      });
      const id = res.body.id as string | undefined;
      if (res.op.acked && id) res.op.ref = id;
      return { buyer, id: res.op.acked ? id : undefined };
    }),
  );

  const steps = shuffle([
    { kind: 'offer.withdraw' as const, actor: made[0]?.buyer ?? '', id: made[0]?.id },
    { kind: 'offer.reject' as const, actor: holder, id: made[1]?.id },
    { kind: 'offer.accept' as const, actor: holder, id: made[2]?.id },
  ]);
  for (const step of steps) {
    if (!step.id) continue;
    const action = step.kind.split('.')[1];
    const res = await client.write(step.kind, step.actor, 'POST', `/offers/${step.id}/${action}`);
    res.op.ref = step.id;
  }
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Runs episodes on `workers` concurrent loops until `operations` writes were sent in the
 * ledger's current phase, `deadlineMs` passed or `stop` says so.
 */
export async function burst(
  client: Client,
  ledger: Ledger,
  options: {
    cast: Cast;
    nextMark: () => string;
    operations: number;
    workers: number;
    deadlineMs: number;
    /** Ends the burst early once it answers true. */
    stop?: () => boolean;
  },
): Promise<void> {
  const phase = ledger.phase;
  const end = Date.now() + options.deadlineMs;
  const sent = () => ledger.ops.filter((o) => o.phase === phase).length;
  const loop = async () => {
    while (sent() < options.operations && Date.now() < end && !options.stop?.()) {
      await episode(client, options.cast, options.nextMark());
    }
  };
  await Promise.all(Array.from({ length: options.workers }, loop));
}
