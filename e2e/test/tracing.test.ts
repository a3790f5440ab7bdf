import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

let collector: Server;
let system: RunningSystem;
const spans: ExportedSpan[] = [];

/** A minimal OTLP/HTTP (JSON) trace receiver, standing in for an OpenTelemetry collector. */
function startCollector(): Promise<string> {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      collect(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    collector.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`),
    ),
  );
}

function collect(payload: {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: Omit<ExportedSpan, 'service'>[] }[];
  }[];
}) {
  for (const rs of payload.resourceSpans ?? []) {
    const service =
      rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const scope of rs.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) spans.push({ ...span, service });
    }
  }
}

beforeAll(async () => {
  const endpoint = await startCollector();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
  system = await startSystem({
    bus: testBus('tracing'),
    services: ['profiles'],
    env: { profiles: otel, gateway: otel },
  });
});

afterAll(async () => {
  await system?.stop();
  collector?.close();
});

describe('tracing', () => {
  it('follows one request from HTTP through NATS into the service and its SQL', async () => {
    const res = await system.request('/me', { as: `user_traced_${Date.now()}` });
    expect(res.status).toBe(200);

    const deadline = Date.now() + 15_000;
    let trace: ExportedSpan[] = [];
    while (Date.now() < deadline) {
      const server = spans.find((s) => s.service === 'gateway' && s.name === 'GET /me');
      trace = server ? spans.filter((s) => s.traceId === server.traceId) : [];
      const services = new Set(trace.map((s) => s.service));
      if (
        services.has('profiles') &&
        trace.some((s) => s.service === 'profiles' && /select/i.test(s.name))
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const names = trace.map((s) => `${s.service}:${s.name}`);
    expect(names).toContain('gateway:GET /me');
    expect(names).toContain('gateway:send profiles.get');
    expect(names).toContain('profiles:handle profiles.get');
    const handle = trace.find((s) => s.name === 'handle profiles.get');
    const send = trace.find((s) => s.name === 'send profiles.get');
    expect(handle?.parentSpanId).toBe(send?.spanId);
    // The SQL the handler ran is a child of the handler's span.
    expect(trace.some((s) => s.service === 'profiles' && s.parentSpanId === handle?.spanId)).toBe(
      true,
    );
  });

  it("logs the gateway's lines with the trace id of the request's span", async () => {
    const reqId = `traced-log-${Date.now()}`;
    const res = await fetch(`${system.url}/me`, { headers: { 'x-request-id': reqId } });
    expect(res.status).toBe(401);

    const gateway = system.processes.find((p) => p.name === 'gateway');
    // The outcome is logged once the response has gone, so it may trail the response.
    const line = await eventually(async () =>
      gateway?.output
        .flatMap((chunk) => chunk.split('\n'))
        .find((l) => l.includes(reqId) && l.includes('request refused')),
    );
    const { traceId } = JSON.parse(line) as { traceId?: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !spans.some((s) => s.traceId === traceId)) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(spans.find((s) => s.traceId === traceId)).toMatchObject({
      service: 'gateway',
      name: 'GET /me',
    });
  });
});
