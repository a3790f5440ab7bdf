import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const base = { DATABASE_URL: 'postgres://localhost/reggie' };

describe('scraper config', () => {
  it('defaults to the 2 s gap and no local hosts', () => {
    const config = loadConfig(base);
    expect(config.SCRAPER_MIN_HOST_INTERVAL_MS).toBe(2_000);
    expect(config.SCRAPER_ALLOWED_LOCAL_HOSTS).toEqual([]);
    expect(config.SCRAPER_DB_SCHEMA).toBe('market');
  });

  it('refuses local hosts and a shorter gap in production, naming both', () => {
    const production = {
      ...base,
      NODE_ENV: 'production',
      SCRAPER_ALLOWED_LOCAL_HOSTS: '127.0.0.1',
      SCRAPER_MIN_HOST_INTERVAL_MS: '500',
    };
    expect(() => loadConfig(production)).toThrow(
      /SCRAPER_ALLOWED_LOCAL_HOSTS[\s\S]*SCRAPER_MIN_HOST_INTERVAL_MS/,
    );
  });

  it('allows both in development and tests', () => {
    const config = loadConfig({
      ...base,
      NODE_ENV: 'test',
      SCRAPER_ALLOWED_LOCAL_HOSTS: '127.0.0.1, localhost',
      SCRAPER_MIN_HOST_INTERVAL_MS: '50',
    });
    expect(config.SCRAPER_ALLOWED_LOCAL_HOSTS).toEqual(['127.0.0.1', 'localhost']);
  });
});
