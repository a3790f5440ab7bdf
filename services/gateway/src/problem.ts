import { type ErrorCode, errorCatalog, type FieldIssue } from '@reggie/contracts';

/**
 * An error that becomes an RFC 9457 problem response. Its status comes from the error
 * catalog, so one code always means one status wherever it is raised.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail?: string,
    details?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(detail ?? errorCatalog[code].title);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }
}

export const problems = {
  unauthenticated: (reason: string) =>
    new ProblemError(
      'unauthenticated',
      'a valid bearer token is required',
      { reason },
      {
        'www-authenticate': `Bearer error="invalid_token"`,
      },
    ),
  forbidden: (detail = 'your role does not allow this') => new ProblemError('forbidden', detail),
  notFound: (detail = 'no such resource') => new ProblemError('not_found', detail),
  invalid: (issues: FieldIssue[]) =>
    new ProblemError('validation_failed', 'some fields are invalid', { errors: issues }),
  unavailable: (detail: string) =>
    new ProblemError('service_unavailable', detail, undefined, { 'retry-after': '2' }),
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: FieldIssue[];
  [key: string]: unknown;
}

export function problemBody(err: ProblemError, instance: string, requestId: string): ProblemBody {
  const { errors, ...extra } = (err.details ?? {}) as { errors?: FieldIssue[] };
  // Details come first so that a detail can never overwrite a member the RFC defines.
  return {
    ...extra,
    type: `https://getreggie.co.uk/problems/${err.code.replaceAll('_', '-')}`,
    title: errorCatalog[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    instance,
    requestId,
    ...(errors ? { errors } : {}),
  };
}
