import { normalise } from './normalise.ts';

/**
 * Platespeak: the digits the trade reads as letters (0 for O or D, 1 for I or L, 2 for R
 * or Z, 3 for E, 4 for A, 5 for S, 6 for G or B, 7 for T or Y, 8 for B, 9 for G), joined
 * into equivalence classes. 6, 8 and 9 share B and G, so they form one class. The first
 * letter of each class is its representative; letters in no class stand for themselves.
 */
export const LOOKALIKE_CLASSES: readonly string[] = [
  'OD0',
  'IL1',
  'RZ2',
  'E3',
  'A4',
  'S5',
  'BG689',
  'TY7',
];

const REPRESENTATIVE = new Map<string, string>(
  LOOKALIKE_CLASSES.flatMap((members) => [...members].map((c) => [c, members[0]!] as const)),
);

/**
 * A search key under which marks that read alike share one value: `H34VEN` and `HEAVEN`
 * both give `HEAVEN`. The input is normalised first, so spacing and case do not matter.
 * Store the key of each registration and compare it with the key of the query.
 */
export function lookalikeKey(text: string): string {
  let key = '';
  for (const character of normalise(text)) {
    key += REPRESENTATIVE.get(character) ?? character;
  }
  return key;
}

/**
 * How many characters two marks have in common, counting repeats (a multiset
 * intersection) and ignoring spacing and case: `AB12 CDE` and `BA21 EDC` share 7.
 */
export function sharedCharacters(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const character of normalise(a)) {
    counts.set(character, (counts.get(character) ?? 0) + 1);
  }

  let shared = 0;
  for (const character of normalise(b)) {
    const left = counts.get(character) ?? 0;
    if (left === 0) continue;
    counts.set(character, left - 1);
    shared += 1;
  }
  return shared;
}
