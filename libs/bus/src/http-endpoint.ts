import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthEndpointOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Ready to take traffic: dependencies connected and handlers serving. */
  ready: () => Promise<boolean>;
}

export interface HealthEndpoint {
  port: number;
  close(): Promise<void>;
}

/**
 * The small HTTP face of a service, for its orchestrator and Prometheus: `/healthz`
 * (the process answers), `/readyz` (it can do its work) and `/metrics`.
 */
export async function startHealthEndpoint(options: HealthEndpointOptions): Promise<HealthEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };

    if (req.method !== 'GET') return send(405, '{"status":"method not allowed"}');
    if (path === '/healthz') return send(200, '{"status":"ok"}');
    if (path === '/readyz') {
      void options.ready().then(
        (ok) => send(ok ? 200 : 503, ok ? '{"status":"ready"}' : '{"status":"not ready"}'),
        () => send(503, '{"status":"not ready"}'),
      );
      return;
    }
    if (path === '/metrics') {
      void options.registry.metrics().then(
        (text) => send(200, text, options.registry.contentType),
        () => send(500, '{"status":"metrics failed"}'),
      );
      return;
    }
    send(404, '{"status":"not found"}');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
