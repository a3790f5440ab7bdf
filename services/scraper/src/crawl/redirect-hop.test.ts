import { describe, expect, it } from 'vitest';
import { MAX_REDIRECTS, nextHop, type RedirectResult } from './redirect-hop.ts';

const from = 'https://dealer.example/stock/';
const redirect = (location: string): RedirectResult => ({
  kind: 'redirect',
  status: 302,
  location,
  finalUrl: from,
});

describe('redirect hop', () => {
  it('follows a redirect within the host the page was asked of', () => {
    expect(nextHop('dealer.example', redirect('https://dealer.example/stock/1'), 0)).toEqual({
      kind: 'follow',
      url: 'https://dealer.example/stock/1',
    });
  });

  it('refuses another host, another port of the same name included', () => {
    for (const location of ['https://www.dealer.example/', 'https://dealer.example:8443/']) {
      expect(nextHop('dealer.example', redirect(location), 0)).toMatchObject({
        kind: 'stop',
        result: { kind: 'blocked', reason: 'offsite_redirect', url: from },
      });
    }
  });

  it('refuses a Location that is not an http(s) URL, sending nothing', () => {
    expect(nextHop('dealer.example', redirect('file:///etc/passwd'), 0)).toMatchObject({
      result: { kind: 'blocked', reason: 'scheme' },
    });
    expect(nextHop('dealer.example', redirect('http://[::1'), 0)).toMatchObject({
      result: { kind: 'blocked', reason: 'invalid_url' },
    });
  });

  it('gives up once five redirects have been followed', () => {
    const next = redirect('https://dealer.example/again');
    expect(nextHop('dealer.example', next, MAX_REDIRECTS - 1).kind).toBe('follow');
    expect(nextHop('dealer.example', next, MAX_REDIRECTS)).toMatchObject({
      result: { kind: 'error', reason: 'too_many_redirects' },
    });
  });
});
