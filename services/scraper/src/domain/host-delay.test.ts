import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF_MS,
  delayAfterResponse,
  GAP_MARGIN_MS,
  MAX_BACKOFF_MS,
} from './host-delay.ts';
import type { RobotsVerdict } from './robots-policy.ts';

const expiresAt = new Date('2030-01-01T00:00:00Z');
const allowAll: RobotsVerdict = { kind: 'allow_all', reason: '404', expiresAt };
const slow: RobotsVerdict = {
  kind: 'rules',
  rules: { rules: [], crawlDelaySeconds: 5 },
  expiresAt,
};
const patient: RobotsVerdict = {
  kind: 'rules',
  rules: { rules: [], crawlDelaySeconds: 600 },
  expiresAt,
};

describe('host delay', () => {
  it('waits the minimum and a 50 ms margin after an ordinary answer, resetting the streak', () => {
    expect(GAP_MARGIN_MS).toBe(50);
    expect(delayAfterResponse(allowAll, undefined, 3, 2_000)).toEqual({
      delayMs: 2_050,
      streak: 0,
    });
  });

  it('waits the minimum before robots.txt has been read', () => {
    expect(delayAfterResponse(undefined, undefined, 0, 2_000).delayMs).toBe(2_050);
  });

  it('honours a Crawl-delay longer than the minimum, even of minutes', () => {
    expect(delayAfterResponse(slow, undefined, 0, 2_000).delayMs).toBe(5_050);
    expect(delayAfterResponse(patient, undefined, 0, 2_000).delayMs).toBe(600_050);
  });

  it('waits as long as Retry-After asks, never less than the polite gap', () => {
    expect(delayAfterResponse(allowAll, { retryAfterMs: 7_000 }, 0, 2_000)).toEqual({
      delayMs: 7_050,
      streak: 1,
    });
    expect(delayAfterResponse(slow, { retryAfterMs: 0 }, 0, 2_000).delayMs).toBe(5_050);
  });

  it('backs off exponentially on its own when no Retry-After is given, within a cap', () => {
    const first = delayAfterResponse(allowAll, { retryAfterMs: undefined }, 0, 2_000);
    const third = delayAfterResponse(allowAll, { retryAfterMs: undefined }, 2, 2_000);
    expect(first.delayMs).toBe(DEFAULT_BACKOFF_MS + GAP_MARGIN_MS);
    expect(third.delayMs).toBe(DEFAULT_BACKOFF_MS * 4 + GAP_MARGIN_MS);
    expect(delayAfterResponse(allowAll, { retryAfterMs: undefined }, 40, 2_000).delayMs).toBe(
      MAX_BACKOFF_MS + GAP_MARGIN_MS,
    );
  });
});
