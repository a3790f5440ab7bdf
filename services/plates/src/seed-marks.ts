import { parseRegistration, type Registration } from '@reggie/registration';

/** A small seeded generator (mulberry32), so every seed run produces the same marks. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Marks of the kind people pay for: names and words in platespeak, in every style.
const CHERISHED = [
  'H34 VEN',
  'S4 RAH',
  'J4 MES',
  'D4 VID',
  'M4 RKS',
  'B16 BOB',
  'K1 NGS',
  'R4 CHL',
  'PAU 1L',
  'MAT 7',
  '1 DAN',
  'BOB 1',
  'AMY 1',
  '7 TOM',
  'ABC 1',
  'JAN 5',
  'S1 MON',
  'L4 URA',
  'P3 TER',
  'G4 RRY',
  'C4 RLY',
  'E11 OTT',
  'N1 CKY',
  'T0 NY',
  'F4 MLY',
  'AB12 CDE',
  'YS21 PEN',
  'KE70 VIN',
  'OU24 BEN',
  'LO69 EVE',
  'ABZ 1234',
  'OIW 77',
  'XIB 5',
  'AZ 100',
];

const without = (excluded: string) =>
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !excluded.includes(c));
const REGIONS = without('IJQTUZ');
const TAG = without('IQZ');
const RANDOM = without('IQ');
const YEARS = without('IOQUZ');
const SERIAL = without('IQZ');
const AGES = ['02', '07', '12', '15', '19', '21', '23', '24', '53', '58', '66', '71', '73'];

type Pick = (from: readonly string[], times?: number) => string;
type Draw = (max: number) => number;

// One per DVLA style: current, prefix, suffix, dateless both ways, Northern Ireland.
const GENERATORS: Array<(pick: Pick, n: Draw) => string> = [
  (pick) => pick(REGIONS) + pick(TAG) + pick(AGES) + pick(RANDOM, 3),
  (pick, n) => pick(YEARS) + n(999) + pick(SERIAL, 3),
  (pick, n) => pick(SERIAL, 3) + n(999) + pick(YEARS),
  (pick, n) => pick(SERIAL, n(3)) + n(9999),
  (pick, n) => n(9999) + pick(SERIAL, n(2)),
  (pick, n) => pick(without('Q')) + pick(['I', 'Z']) + n(9999),
];

/**
 * `count` valid marks, the same ones on every run: the cherished list first, then marks
 * drawn from each DVLA style in turn.
 */
export function seedMarks(count: number, now = new Date()): Registration[] {
  const random = randomSource(20_240_501);
  const pick: Pick = (from, times = 1) =>
    Array.from({ length: times }, () => from[Math.floor(random() * from.length)]).join('');
  const n = (max: number) => 1 + Math.floor(random() * max);

  const marks = new Map<string, Registration>();
  const add = (text: string) => {
    const parsed = parseRegistration(text, { now });
    if (parsed.ok) marks.set(parsed.value.normalised, parsed.value);
  };
  for (const text of CHERISHED) add(text);
  // Bounded: every generator yields a valid mark most of the time.
  for (let i = 0; marks.size < count && i < count * 20; i++) {
    add(GENERATORS[i % GENERATORS.length]!(pick, n));
  }
  return [...marks.values()].slice(0, count);
}
