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
