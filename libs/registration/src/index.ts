export { type AgeIdentifierRelease, ageIdentifierRelease } from './age-identifier.ts';
export { LOOKALIKE_CLASSES, lookalikeKey, sharedCharacters } from './lookalike.ts';
export { normalise } from './normalise.ts';
export { format, type ParseOptions, type ParseResult, parseRegistration } from './parse.ts';
export {
  InvalidRegistrationError,
  REJECTION_CODES,
  type Rejection,
  type RejectionCode,
} from './rejection.ts';
export { REGISTRATION_STYLES, type Registration, type RegistrationStyle } from './style.ts';
