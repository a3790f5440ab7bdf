/** Why a string is not a registration; stable, so callers may branch on it. */
export const REJECTION_CODES = [
  'empty',
  'too_long',
  'bad_characters',
  'no_style',
  'invalid_letters',
  'leading_zero',
  'invalid_age_identifier',
  'invalid_year_letter',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  ok: false;
  code: RejectionCode;
  /** A sentence a person can act on, naming the offending part of the mark. */
  reason: string;
}

export function reject(code: RejectionCode, reason: string): Rejection {
  return { ok: false, code, reason };
}

/** Thrown by `format`, which is meant for marks already known to be valid. */
export class InvalidRegistrationError extends Error {
  override readonly name = 'InvalidRegistrationError';

  private constructor(
    readonly input: string,
    readonly code: RejectionCode,
    readonly reason: string,
  ) {
    super(`not a registration (${code}): ${reason}`);
  }

  static fromRejection(input: string, rejection: Rejection): InvalidRegistrationError {
    return new InvalidRegistrationError(input, rejection.code, rejection.reason);
  }
}
