import { parseRegistration, type Registration } from '@reggie/registration';
import { plateErrors } from './errors.ts';

/** Parses a registration from a request, or fails with the reason it is not one. */
export function requireRegistration(input: string, now: Date = new Date()): Registration {
  const result = parseRegistration(input, { now });
  if (!result.ok) throw plateErrors.invalidRegistration(result.reason, result.code);
  return result.value;
}
