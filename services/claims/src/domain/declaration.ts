import { parseRegistration, type Registration } from '@reggie/registration';
import { checkDeclaration, type DocumentType } from '../storage/index.ts';
import { claimErrors } from './errors.ts';

export interface Declaration {
  contentType: DocumentType;
  size: number;
}

/** Parses a registration from a request, or fails with the reason it is not one. */
export function requireRegistration(input: string, now: Date): Registration {
  const result = parseRegistration(input, { now });
  if (!result.ok) throw claimErrors.invalidRegistration(result.reason, result.code);
  return result.value;
}

/**
 * Accepts a declared upload only when it could pass the checks at submit: a PDF, JPEG or
 * PNG of 1 byte to 10 MB. Media types are case-insensitive, so `Image/PNG` is a PNG.
 */
export function requireDeclaration(contentType: string, size: number): Declaration {
  const declaredType = contentType.trim().toLowerCase();
  const refused = checkDeclaration({ declaredType, declaredSize: size });
  if (refused !== null) throw claimErrors.declarationRefused(refused);
  return { contentType: declaredType as DocumentType, size };
}
