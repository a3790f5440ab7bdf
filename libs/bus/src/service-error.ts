import { type ErrorCode, errorCatalog, type FieldIssue } from '@reggie/contracts';

/**
 * A failure a command handler answers with on purpose. Its code comes from the catalog, so
 * the gateway knows the HTTP status; anything else a handler throws becomes `internal`.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, cause?: unknown) {
    super(message ?? errorCatalog[code].title, { cause });
    this.code = code;
    this.details = details;
  }
}

export const serviceErrors = {
  notFound: (what: string) => new ServiceError('not_found', `${what} not found`),
  forbidden: (message = 'not allowed') => new ServiceError('forbidden', message),
  conflict: (message: string, details?: unknown) => new ServiceError('conflict', message, details),
  invalid: (issues: FieldIssue[], message = 'invalid input') =>
    new ServiceError('validation_failed', message, { issues }),
  unavailable: (message: string, cause?: unknown) =>
    new ServiceError('service_unavailable', message, undefined, cause),
};
