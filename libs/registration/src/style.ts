/**
 * The DVLA formats a mark can take, from newest to oldest, plus Northern Ireland, which
 * kept its own letters-then-digits series and never adopted the dated GB formats.
 */
export const REGISTRATION_STYLES = [
  'current',
  'prefix',
  'suffix',
  'dateless',
  'northern_ireland',
] as const;

export type RegistrationStyle = (typeof REGISTRATION_STYLES)[number];

/** A mark that passed every rule of its style. */
export interface Registration {
  /** Upper case, no separators: the form to store and look up. */
  normalised: string;
  /** Conventional spacing for people: `AB12 CDE`, `A123 BCD`, `ABC 1234`. */
  display: string;
  style: RegistrationStyle;
}

/** What a style check hands back when a mark fits: its style and display form. */
export interface Fit {
  ok: true;
  style: RegistrationStyle;
  display: string;
}

export function fit(style: RegistrationStyle, left: string, right: string): Fit {
  return { ok: true, style, display: `${left} ${right}` };
}
