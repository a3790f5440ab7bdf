import { createHmac, generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { eventually, mintToken, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

const bus = testBus('foundation');
let system: RunningSystem;
const admin = `user_admin_${Date.now()}`;

beforeAll(async () => {
  system = await startSystem({
    bus,
    services: ['profiles'],
    env: { profiles: { ADMIN_CLERK_IDS: admin } },
  });
});

afterAll(async () => {
  await system?.stop();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|select |insert /i);
  return body;
}

describe('gateway - authentication', () => {
  const me = (authorization?: string) =>
    fetch(`${system.url}/me`, { headers: authorization ? { authorization } : {} });
  const now = () => Math.floor(Date.now() / 1000);
  const userClaims = () => ({ sub: 'user_x', iat: now(), exp: now() + 60 });

  const cases: [string, () => string | undefined][] = [
    ['no token at all', () => undefined],
    ['a malformed token', () => 'Bearer not.a-token'],
    ['a non-bearer scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['alg none', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(userClaims())}.`],
    [
      'HS256 signed with the public key as secret',
      () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(userClaims())}`;
        const hmac = createHmac('sha256', system.keys.publicKeyPem).update(input);
        return `Bearer ${input}.${hmac.digest('base64url')}`;
      },
    ],
    [
      'a token signed with another key',
      () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        });
        return `Bearer ${mintToken(other.toString(), { sub: 'user_x' })}`;
      },
    ],
    [
      'an expired token',
      () => {
        const expired = { sub: 'user_x', exp: now() - 60, iat: now() - 120, nbf: now() - 130 };
        return `Bearer ${mintToken(system.keys.privateKeyPem, expired)}`;
      },
    ],
    [
      'a token not valid yet',
      () => `Bearer ${mintToken(system.keys.privateKeyPem, { sub: 'user_x', nbf: now() + 600 })}`,
    ],
    [
      'a token without sub',
      () =>
        `Bearer ${mintToken(system.keys.privateKeyPem, { sub: undefined as unknown as string })}`,
    ],
    [
      'a tampered payload',
      () => {
        const [h, , s] = mintToken(system.keys.privateKeyPem, { sub: 'user_x' }).split('.');
        return `Bearer ${h}.${b64({ sub: admin, iat: now(), exp: now() + 600 })}.${s}`;
      },
    ],
    ['an absurdly long header', () => `Bearer ${'a'.repeat(9_000)}.${b64({})}.sig`],
  ];

  for (const [name, header] of cases) {
    it(`refuses ${name} with 401`, async () => {
      const res = await me(header());
      await expectProblem(res, 401, 'unauthenticated');
      expect(res.headers.get('www-authenticate') ?? 'Bearer').toMatch(/^Bearer/);
    });
  }

  it('accepts a valid Clerk-shaped token and creates the profile on first sight', async () => {
    const sub = `user_first_${Date.now()}`;
    const responses = await Promise.all([1, 2, 3, 4].map(() => system.request('/me', { as: sub })));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      id: string;
      clerkId: string;
      role: string;
    }[];

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies[0]).toMatchObject({ clerkId: sub, role: 'user' });
  });
});

describe('gateway - profiles and roles', () => {
  it('lets a user rename themselves and refuses invalid input with 422 per field', async () => {
    const sub = `user_named_${Date.now()}`;
    const ok = await system.request('/me', {
      method: 'PATCH',
      as: sub,
      json: { displayName: 'Plate Fan' },
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { displayName: string }).displayName).toBe('Plate Fan');

    const bad = await system.request('/me', {
      method: 'PATCH',
      as: sub,
      json: { displayName: 'x'.repeat(200) },
    });
    const body = await expectProblem(bad, 422, 'validation_failed');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'body.displayName' })]);
    const extra = await system.request('/me', {
      method: 'PATCH',
      as: sub,
      json: { displayName: 'A', role: 'admin' },
    });
    await expectProblem(extra, 422, 'validation_failed');
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const sub = `user_body_${Date.now()}`;
    const malformed = await system.request('/me', {
      method: 'PATCH',
      as: sub,
      body: '{"displayName":',
      headers: { 'content-type': 'application/json' },
    });
    await expectProblem(malformed, 400, 'bad_request');
    const huge = await system.request('/me', {
      method: 'PATCH',
      as: sub,
      json: { displayName: 'x'.repeat(200_000) },
    });
    await expectProblem(huge, 413, 'payload_too_large');
  });

  it("keeps admin routes from users; an admin's role change works at once", async () => {
    const user = `user_promoted_${Date.now()}`;
    const meRes = await system.request('/me', { as: user });
    const profile = (await meRes.json()) as { id: string };

    await expectProblem(await system.request('/admin/profiles', { as: user }), 403, 'forbidden');
    const list = await system.request('/admin/profiles?limit=5', { as: admin });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);

    const promote = await system.request(`/admin/profiles/${profile.id}/role`, {
      method: 'PUT',
      as: admin,
      json: { role: 'admin' },
    });
    expect(promote.status).toBe(200);
    // The profile event evicts the gateway's cached profile, so the new role applies now.
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await system.request('/admin/profiles', { as: user })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('refuses a user on an admin route with 403 even when the input is malformed', async () => {
    const user = `user_probing_${Date.now()}`;

    const badParam = await system.request('/admin/profiles/not-a-uuid/role', {
      method: 'PUT',
      as: user,
      json: { role: 'bogus' },
    });
    const badQuery = await system.request('/admin/profiles?role=bogus&limit=9999', { as: user });
    const anonymous = await system.request('/admin/profiles/not-a-uuid/role', {
      method: 'PUT',
      json: { nothing: true },
    });

    // The schema of an admin route is not something a user gets to probe.
    const refused = await expectProblem(badParam, 403, 'forbidden');
    expect(refused.errors).toBeUndefined();
    await expectProblem(badQuery, 403, 'forbidden');
    await expectProblem(anonymous, 401, 'unauthenticated');
  });

  it('answers an unknown profile id with 404 and a malformed one with 422', async () => {
    await expectProblem(
      await system.request('/admin/profiles/00000000-0000-4000-8000-000000000000/role', {
        method: 'PUT',
        as: admin,
        json: { role: 'user' },
      }),
      404,
      'not_found',
    );
    await expectProblem(
      await system.request('/admin/profiles/not-a-uuid/role', {
        method: 'PUT',
        as: admin,
        json: { role: 'user' },
      }),
      422,
      'validation_failed',
    );
  });
});

describe('gateway - edge behaviour', () => {
  it('allows configured origins and gives others no CORS header', async () => {
    const allowed = await fetch(`${system.url}/me`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://getreggie.co.uk',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://getreggie.co.uk');

    const refused = await fetch(`${system.url}/healthz`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers and echoes a well-formed request id', async () => {
    const res = await fetch(`${system.url}/healthz`, {
      headers: { 'x-request-id': 'client-req-12345' },
    });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-request-id')).toBe('client-req-12345');
    const injected = await fetch(`${system.url}/healthz`, {
      headers: { 'x-request-id': 'bad id\twith junk' },
    });
    expect(injected.headers.get('x-request-id')).not.toContain('junk');
  });

  it('answers what the HTTP parser refuses as problems (431, 400)', async () => {
    const huge = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`;
    const oversized = parseRawResponse(await rawExchange(huge));
    expect(oversized.status).toBe(431);
    expect(oversized.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(oversized.body)).toMatchObject({ status: 431, code: 'headers_too_large' });

    const garbage = parseRawResponse(await rawExchange('NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toMatchObject({ status: 400, code: 'bad_request' });
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
  });

  it("logs a request's lines with its request id and its caller's trace id", async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const reqId = `trace-check-${Date.now()}`;
    await fetch(`${system.url}/nope`, {
      headers: { 'x-request-id': reqId, traceparent: `00-${traceId}-0123456789abcdef-01` },
    });

    const gateway = system.processes.find((p) => p.name === 'gateway');
    const line = await eventually(async () =>
      gateway?.output
        .flatMap((chunk) => chunk.split('\n'))
        .find((l) => l.includes(reqId) && l.includes('request refused')),
    );
    expect(JSON.parse(line)).toMatchObject({ reqId, traceId, msg: 'request refused' });
  });

  it('publishes an OpenAPI document and a reference page', async () => {
    const spec = (await (await fetch(`${system.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/me', '/admin/profiles', '/healthz']),
    );
    expect((await fetch(`${system.url}/docs/`)).status).toBe(200);
  });

  it('never writes a token to the logs, even for refused ones', async () => {
    const token = system.token(`user_logged_${Date.now()}`);
    await fetch(`${system.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${system.url}/me`, { headers: { authorization: `Bearer ${token}x` } });
    await fetch(`${system.url}/nope`, { headers: { authorization: `Bearer ${token}` } });

    const signature = token.split('.')[2] as string;
    const logs = system.processes.flatMap((p) => p.output).join('\n');
    expect(logs).toContain('request refused');
    expect(logs).not.toContain(signature);
  });

  it('exposes Prometheus metrics on the gateway and on each service', async () => {
    await system.request('/me', { as: `user_metrics_${Date.now()}` });
    const listening = await system.processes
      .find((p) => p.name === 'gateway')
      ?.waitForLog((l) => l.msg === 'gateway listening');
    const gatewayMetrics = `http://127.0.0.1:${listening?.metricsPort as number}/metrics`;
    const gateway = await (await fetch(gatewayMetrics)).text();
    expect((await fetch(`${system.url}/metrics`)).status).toBe(404);
    expect(gateway).toMatch(/reggie_http_request_duration_seconds_bucket\{.*route="\/me"/);
    expect(gateway).toMatch(
      /reggie_gateway_command_duration_seconds_count\{.*command="profiles.get"/,
    );

    const profiles = system.processes.find((p) => p.name === 'profiles');
    const ready = await profiles?.waitForLog((l) => l.msg === 'service ready');
    const base = `http://127.0.0.1:${ready?.httpPort as number}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const service = await (await fetch(`${base}/metrics`)).text();
    expect(service).toMatch(/reggie_command_duration_seconds_count\{.*command="profiles.get"/);
    expect(service).toContain('reggie_outbox_pending');
  });

  it('answers 404 problems for unknown routes', async () => {
    await expectProblem(await fetch(`${system.url}/nope`), 404, 'not_found');
  });

  it('answers 503 with Retry-After when a service does not answer, and stays up', async () => {
    // Only profiles runs in this system, so readiness is refused throughout; what changes is
    // whether it names profiles among the services that do not answer.
    const before = (await (await fetch(`${system.url}/readyz`)).json()) as { detail: string };
    expect(before.detail).not.toMatch(/profiles/);
    const profiles = system.processes.find((p) => p.name === 'profiles');
    await profiles?.stop();
    try {
      const res = await system.request('/me', { as: `user_lonely_${Date.now()}` });
      await expectProblem(res, 503, 'service_unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
      const ready = await expectProblem(
        await fetch(`${system.url}/readyz`),
        503,
        'service_unavailable',
      );
      expect(ready.detail).toMatch(/profiles/);
    } finally {
      await system.startReplica('profiles');
    }
    expect((await system.request('/me', { as: `user_back_${Date.now()}` })).status).toBe(200);
  });
});

/** Sends raw bytes to the gateway and reads whatever it answers until it closes. */
function rawExchange(request: string): Promise<string> {
  const { hostname, port } = new URL(system.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseRawResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
