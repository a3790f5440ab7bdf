// What `npm run dev` runs beside the services, and how it reads `.env` files. Kept apart
// from scripts/dev.ts, which starts everything as soon as it is loaded, so tests can use
// them: a hook whose script has moved would otherwise be skipped without a word.

export interface DevHook {
  service: string;
  /** Relative to the service's folder; run with tsx once every service is ready. */
  script: string;
  /** Serves something for the rest of the session instead of running to completion. */
  keepsRunning: boolean;
}

/** Demo data: seeded plates and the fixture dealer site the crawler reads. */
export const DEV_HOOKS: readonly DevHook[] = [
  { service: 'profiles', script: 'scripts/seed.ts', keepsRunning: false },
  { service: 'plates', script: 'scripts/seed.ts', keepsRunning: false },
  { service: 'scraper', script: 'scripts/dev-fixtures.ts', keepsRunning: true },
];

/** `NAME=value` lines; comments, blank lines and empty values are left out. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined && match[2] !== '')
      out[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}
