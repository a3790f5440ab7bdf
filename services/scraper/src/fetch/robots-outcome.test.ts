import { describe, expect, it } from 'vitest';
import type { FetchResult } from './fetcher.ts';
import { followRobots, ROBOTS_MAX_REDIRECTS } from './robots-outcome.ts';

const ok = (url: string, body: string): FetchResult => ({
  kind: 'ok',
  status: 200,
  body,
  finalUrl: url,
  headers: {},
  truncated: false,
});
const redirect = (url: string, location: string): FetchResult => ({
  kind: 'redirect',
  status: 301,
  location,
  finalUrl: url,
});

/** A hop that answers from a table and remembers what it was asked for. */
function hops(answers: Record<string, FetchResult>) {
  const asked: string[] = [];
  const hop = async (url: string) => {
    asked.push(url);
    return answers[url] ?? null;
  };
  return { asked, hop };
}

describe('robots.txt redirects', () => {
  it('follows a redirect to another host and reads the file found there', async () => {
    const { asked, hop } = hops({
      'https://dealer.example/robots.txt': redirect(
        'https://dealer.example/robots.txt',
        'https://www.dealer.example/robots.txt',
      ),
      'https://www.dealer.example/robots.txt': ok('https://www.dealer.example/robots.txt', 'x'),
    });
    const outcome = await followRobots('https://dealer.example', hop);

    expect(outcome).toEqual({ kind: 'response', status: 200, body: 'x' });
    expect(asked).toEqual([
      'https://dealer.example/robots.txt',
      'https://www.dealer.example/robots.txt',
    ]);
  });

  it('counts more than five redirects as unreachable, so nothing is crawled', async () => {
    const loop = redirect('https://dealer.example/robots.txt', 'https://dealer.example/robots.txt');
    const { asked, hop } = hops({ 'https://dealer.example/robots.txt': loop });
    const outcome = await followRobots('https://dealer.example', hop);

    expect(outcome).toMatchObject({ kind: 'unreachable' });
    expect(asked).toHaveLength(ROBOTS_MAX_REDIRECTS + 1);
  });

  it('answers null when a hop was stopped, leaving the verdict unread', async () => {
    const { hop } = hops({});
    expect(await followRobots('https://dealer.example', hop)).toBeNull();
  });
});
