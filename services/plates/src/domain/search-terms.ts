import { lookalikeKey, normalise } from '@reggie/registration';

/** What a search looks for: the characters as typed, and how they read in platespeak. */
export interface SearchTerms {
  /** Normalised query: upper case, separators removed. */
  literal: string;
  /** The query's look-alike key, compared with each plate's. */
  key: string;
  /** A LIKE pattern over look-alike keys. */
  pattern: string;
}

const SEARCHABLE = /^[A-Z0-9]{1,10}$/;
// Trigram indexes need three characters; shorter queries match marks that start with them,
// which a b-tree answers, rather than scanning every mark for the pair anywhere.
const MIN_CONTAINS = 3;

/** Turns search text into terms, or answers null when it holds nothing searchable. */
export function searchTerms(q: string): SearchTerms | null {
  const literal = normalise(q);
  if (!SEARCHABLE.test(literal)) return null;

  const key = lookalikeKey(literal);
  const pattern = key.length >= MIN_CONTAINS ? `%${key}%` : `${key}%`;
  return { literal, key, pattern };
}
