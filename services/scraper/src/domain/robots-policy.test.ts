import { describe, expect, it } from 'vitest';
import {
  MAX_CRAWL_DELAY_MS,
  politeDelayMs,
  ROBOTS_MAX_TTL_MS,
  robotsVerdict,
  verdictAllows,
  verdictExpired,
} from './robots-policy.ts';

const now = new Date('2025-03-01T12:00:00Z');
const body = 'User-agent: *\nDisallow: /private\nCrawl-delay: 5';

describe('robots policy', () => {
  it('parses a 2xx answer and keeps it for a day', () => {
    const verdict = robotsVerdict({ kind: 'response', status: 200, body }, now);
    expect(verdict.kind).toBe('rules');
    expect(verdictAllows(verdict, '/private/x')).toBe(false);
    expect(verdictAllows(verdict, '/public')).toBe(true);
    expect(verdict.expiresAt.getTime() - now.getTime()).toBe(ROBOTS_MAX_TTL_MS);
  });

  it('never caches for longer than 24 hours', () => {
    const verdict = robotsVerdict({ kind: 'response', status: 200, body }, now, {
      ttlMs: 7 * ROBOTS_MAX_TTL_MS,
    });
    expect(verdict.expiresAt.getTime() - now.getTime()).toBe(ROBOTS_MAX_TTL_MS);
  });

  it.each([400, 401, 403, 404, 410])('reads %i as allow all', (status) => {
    const verdict = robotsVerdict({ kind: 'response', status, body: '' }, now);
    expect(verdict.kind).toBe('allow_all');
    expect(verdictAllows(verdict, '/anything')).toBe(true);
  });

  it.each([429, 500, 502, 503, 504])('reads %i as crawl nothing for now', (status) => {
    const verdict = robotsVerdict({ kind: 'response', status, body: '' }, now);
    expect(verdict.kind).toBe('disallow_all');
    expect(verdictAllows(verdict, '/anything')).toBe(false);
    expect(verdictExpired(verdict, new Date(now.getTime() + 11 * 60_000))).toBe(true);
  });

  it('reads an unreachable host as crawl nothing for now', () => {
    const verdict = robotsVerdict({ kind: 'unreachable', reason: 'timeout' }, now);
    expect(verdict.kind).toBe('disallow_all');
    expect(verdictAllows(verdict, '/')).toBe(false);
    expect(verdictAllows(verdict, '/robots.txt')).toBe(true);
  });

  it('expires only once its time has come', () => {
    const verdict = robotsVerdict({ kind: 'response', status: 200, body }, now);
    expect(verdictExpired(verdict, now)).toBe(false);
    expect(verdictExpired(verdict, verdict.expiresAt)).toBe(true);
  });

  it('waits at least 2 s, and as long as Crawl-delay asks however long', () => {
    const slow = robotsVerdict({ kind: 'response', status: 200, body }, now);
    expect(politeDelayMs(slow)).toBe(5_000);
    const none = robotsVerdict({ kind: 'response', status: 404, body: '' }, now);
    expect(politeDelayMs(none)).toBe(2_000);
    const greedy = robotsVerdict(
      { kind: 'response', status: 200, body: 'User-agent: *\nCrawl-delay: 86400' },
      now,
    );
    expect(politeDelayMs(greedy)).toBe(86_400_000);
    expect(politeDelayMs(undefined, 2_500)).toBe(2_500);
  });

  it('keeps an absurd Crawl-delay representable, at 30 days', () => {
    const absurd = robotsVerdict(
      { kind: 'response', status: 200, body: 'User-agent: *\nCrawl-delay: 1e300' },
      now,
    );
    expect(politeDelayMs(absurd)).toBe(MAX_CRAWL_DELAY_MS);
    expect(MAX_CRAWL_DELAY_MS).toBe(30 * 86_400_000);
  });
});
