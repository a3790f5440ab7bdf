// A local S3-compatible server for development and tests, built on s3rver
// (@20minutes/s3rver 4.x; 5.x needs Node 24). Tried against presigned URLs from the AWS SDK:
//
// s3rver refuses a changed signature, an unknown access key, a wrong secret, an expired
// URL, and a changed method, key, X-Amz-Expires or value of any signed header
// (content-type, content-length, host).
//
// s3rver does NOT check: the region, service and date of the credential scope; an
// X-Amz-Date in the future; that `host` is signed; checksums (x-amz-checksum-*) against the
// body; the body hash of header-signed requests. It also serves unsigned requests to
// anyone (closed here, see refuseAnonymous), and it refuses some valid URLs: bucket-level
// requests (fixed here), and query values holding ! ' ( ) * (it encodes them unlike SigV4).
// A ranged GET of an empty object is aborted instead of answered with 416.
// services/claims/test/helpers/sigv4-verifier.ts checks what the server does not.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options for {@link startLocalS3}. */
export interface LocalS3Options {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Folder that holds the objects; absent means a fresh temporary folder, removed on stop. */
  directory?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Created (private) at start if missing. */
  bucket: string;
  /** Called once per answered request; the path carries no query, so no signature. */
  onRequest?: (entry: LocalS3Request) => void;
}

export interface LocalS3Request {
  method: string;
  path: string;
  status: number;
}

/** A running local S3-compatible server. */
export interface LocalS3 {
  /** Base URL for path-style requests, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  stop(): Promise<void>;
}

// The subset of s3rver's (untyped, CommonJS) API used here.
interface S3rverApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  configureBuckets(): Promise<unknown>;
  logger: { close(): void };
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverApp;
interface SignatureV4Module {
  getStringToSign(canonical: { uri: string; headers: object }, request: unknown): string;
}
interface AccountModule {
  new (id: number, name: string): { createKeyPair(id: string, secret: string): void };
  DUMMY_ACCOUNT: { revokeAccessKey(id: string): void };
}

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver') as S3rverCtor;
const Account = require('@20minutes/s3rver/lib/models/account.js') as AccountModule;
const signatureV4 = require('@20minutes/s3rver/lib/signature/v4.js') as SignatureV4Module;
// Raw request paths, keyed by the request's header object, which s3rver hands to the signer.
const rawPaths = new WeakMap<object, string>();
keepTrailingSlashInSignatures();

const ANONYMOUS_REFUSAL =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

/**
 * Starts an S3-compatible server (s3rver) on 127.0.0.1 that verifies SigV4 signatures with
 * the given key pair and, unlike s3rver on its own, refuses unsigned requests, so the bucket
 * behaves like a private R2 bucket. For development and tests only.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'reggie-s3-')));
  registerKeyPair(options.accessKeyId, options.secretAccessKey);

  const app = new S3rver({
    directory,
    silent: true,
    vhostBuckets: false,
    allowMismatchedSignatures: false,
    configureBuckets: [{ name: options.bucket }],
  });
  await app.configureBuckets();

  const server = createServer(refuseAnonymous(app.callback(), options.onRequest));
  const port = await listen(server, options.port ?? 0);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await close(server);
      app.logger.close();
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

// s3rver keeps accounts in one process-wide registry and always trusts a built-in
// `S3RVER` key; revoking it means only the configured secret can sign. Key pairs of
// several servers in one process are all accepted by each of them.
function registerKeyPair(accessKeyId: string, secretAccessKey: string): void {
  Account.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  new Account(123456789012, 'reggie-local').createKeyPair(accessKeyId, secretAccessKey);
}

// s3rver checks a signature only when a request carries one and serves unsigned
// requests to anyone. Real S3 and R2 buckets are private, so unsigned requests stop here.
// CORS preflights stay open: browsers never sign them and they reveal no object.
function refuseAnonymous(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  onRequest: LocalS3Options['onRequest'],
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://local');
    if (onRequest) {
      const method = req.method ?? 'GET';
      res.once('finish', () => onRequest({ method, path, status: res.statusCode }));
    }
    if (req.method === 'OPTIONS' || isSigned(req, searchParams)) {
      rawPaths.set(req.headers, path);
      handle(req, res);
      return;
    }
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(ANONYMOUS_REFUSAL);
  };
}

// The AWS SDK signs bucket-level requests (HeadBucket, CreateBucket, DeleteObjects) with
// the path `/<bucket>/`, but s3rver rebuilds the canonical path from the bucket name alone,
// drops the slash, and refuses every such request. Putting the slash back only when the
// client really sent it keeps the check as strict as before for everything else.
function keepTrailingSlashInSignatures(): void {
  const original = signatureV4.getStringToSign;
  signatureV4.getStringToSign = (canonical, request) => {
    const raw = rawPaths.get(canonical.headers);
    const uri =
      raw?.endsWith('/') && !canonical.uri.endsWith('/') ? `${canonical.uri}/` : canonical.uri;
    return original({ ...canonical, uri }, request);
  };
}

function isSigned(req: IncomingMessage, query: URLSearchParams): boolean {
  if (req.headers.authorization !== undefined) return true;
  return query.has('X-Amz-Algorithm') || query.has('Signature');
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
