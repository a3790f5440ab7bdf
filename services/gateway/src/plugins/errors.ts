import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, errorCatalog, type FieldIssue } from '@reggie/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ProblemError, problemBody } from '../problem.ts';

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

/**
 * Refusals Node's HTTP parser makes before a request exists, so before fastify's error handler
 * can see it. Codes and statuses, like the catalog's, are stable once published.
 */
const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail: 'the request headers are larger than 16 KiB',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'the request did not arrive in time',
  },
};
const MALFORMED = { status: 400, code: 'bad_request', detail: 'the request is not valid HTTP' };

/** Every error leaves the gateway as application/problem+json; nothing internal leaks. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = toProblemError(err);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(req, reply, problem);
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      req,
      reply,
      new ProblemError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, problem: ProblemError) {
  return reply
    .status(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send(problemBody(problem, req.url.split('?')[0] ?? '/', req.id));
}

function toProblemError(err: FastifyError): ProblemError {
  if (err instanceof ProblemError) return err;

  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext ?? 'body';
    const issues: FieldIssue[] = err.validation.map((v) => ({
      path: [context, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return new ProblemError('validation_failed', 'some fields are invalid', { errors: issues });
  }

  const code = (err.code && FRAMEWORK_CODES[err.code]) || codeForStatus(err.statusCode);
  if (code === 'internal') return new ProblemError('internal', 'something went wrong on our side');
  const detail =
    code === 'bad_request' ? 'the request body is not valid JSON' : errorCatalog[code].title;
  return new ProblemError(code, detail, undefined, retryAfter(err));
}

function codeForStatus(status: number | undefined): ErrorCode {
  const match = Object.entries(errorCatalog).find(([, v]) => v.status === status);
  return status && status < 500 && match ? (match[0] as ErrorCode) : 'internal';
}

function retryAfter(err: FastifyError): Record<string, string> {
  const headers = (err as { headers?: Record<string, string> }).headers;
  return headers?.['retry-after'] ? { 'retry-after': headers['retry-after'] } : {};
}

/**
 * Answers what Node's parser refuses (headers over its 16 KiB limit, a malformed request
 * line, a request that never completes) as a problem, as fastify's own handler would in
 * plain JSON. Logged at debug: there is no request to correlate, and scanners send plenty.
 */
export function answerClientError(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, detail } = CLIENT_ERRORS[err.code ?? ''] ?? MALFORMED;
  this.log.debug({ code: err.code, status }, 'client error');
  if (!socket.writable) {
    socket.destroy(err);
    return;
  }

  const title = STATUS_CODES[status] ?? 'Client error';
  const body = JSON.stringify({
    type: `https://getreggie.co.uk/problems/${code.replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
      body,
  );
}
