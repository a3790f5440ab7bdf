import type { RunningService } from '@reggie/bus';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DealerHost, DealerId } from '../fixtures/index.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import { freshHost, startScraper, testFetcher, testGate } from './helpers.ts';

// Redirects through the host gate: each hop is a request of its own, so it waits for the
// host's turn and obeys robots.txt like any page.
const bus = testBus('scrapergate');
const GAP_MS = 300;
const signal = new AbortController().signal;
let service: RunningService;
let fetcher: Fetcher;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_gate_test' });
  fetcher = testFetcher();
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await fetcher?.close();
  await service?.stop();
});

const host = (id: DealerId) => freshHost(service, hosts, id);

const gate = () => testGate(service, { fetcher, minIntervalMs: GAP_MS });

describe('host gate - page redirects', () => {
  it('follows a redirect as a request of its own, after the gap', async () => {
    const h = await host('cherished-classics');
    const outcome = await gate().fetch(`${h.url}/plates?page=2&fault=redirects&hops=2`, signal);

    expect(outcome).toMatchObject({
      kind: 'fetched',
      result: { kind: 'ok', finalUrl: `${h.url}/plates?page=2` },
    });
    const log = h.requestLog;
    expect(log.map((e) => e.status)).toEqual([200, 302, 302, 200]);
    for (let i = 1; i < log.length; i++) {
      expect(log[i]!.startedAt - log[i - 1]!.endedAt!).toBeGreaterThanOrEqual(GAP_MS);
    }
  });

  it('does not ask for a redirect target that robots.txt forbids', async () => {
    const h = await host('cherished-classics');
    h.addFault({ fault: { kind: 'redirect', location: '/private-treaty/' }, pathPrefix: '/about' });
    const outcome = await gate().fetch(`${h.url}/about`, signal);

    expect(outcome).toMatchObject({ kind: 'disallowed', url: `${h.url}/private-treaty/` });
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt', '/about']);
  });

  it('refuses a redirect to another host, though that host could be reached', async () => {
    const [h, other] = [await host('plate-emporium'), await host('cherished-classics')];
    h.addFault({
      fault: { kind: 'redirect', location: `${other.url}/plates?page=1` },
      pathPrefix: '/stock/',
    });
    const outcome = await gate().fetch(`${h.url}/stock/`, signal);

    expect(outcome).toMatchObject({
      kind: 'fetched',
      result: { kind: 'blocked', reason: 'offsite_redirect' },
    });
    expect(other.requestLog).toEqual([]);
  });

  it('stops after five redirects, and sends nothing to a Location of another scheme', async () => {
    const h = await host('cherished-classics');
    const chain = await gate().fetch(`${h.url}/plates?page=2&fault=redirects&hops=6`, signal);
    expect(chain).toMatchObject({ result: { kind: 'error', reason: 'too_many_redirects' } });
    expect(h.requestLog.filter((e) => e.status === 302)).toHaveLength(6);

    h.addFault({ fault: { kind: 'redirect', location: 'file:///etc/passwd' }, pathPrefix: '/p' });
    const scheme = await gate().fetch(`${h.url}/plates?page=1`, signal);
    expect(scheme).toMatchObject({ result: { kind: 'blocked', reason: 'scheme' } });
  });
});

describe('host gate - robots.txt redirects', () => {
  it('follows a robots.txt redirect to another host and obeys the rules found there', async () => {
    const [h, rules] = [await host('plate-emporium'), await host('cherished-classics')];
    h.addFault({
      fault: { kind: 'redirect', location: `${rules.url}/robots.txt` },
      pathPrefix: '/robots.txt',
    });
    const g = gate();

    // Cherished Classics forbids /private-treaty/ to us; Plate Emporium forbids /stock/page/3/.
    expect(await g.fetch(`${h.url}/private-treaty/`, signal)).toMatchObject({
      kind: 'disallowed',
    });
    expect(await g.fetch(`${h.url}/stock/page/3/`, signal)).toMatchObject({ kind: 'fetched' });
    expect(rules.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
    expect(h.requestLog.map((e) => `${e.status} ${e.path}`)).toEqual([
      '302 /robots.txt',
      '200 /stock/page/3/',
    ]);
  });
});

describe('host gate - the gap between requests', () => {
  it('counts the gap from the end of a slow response, not from when it was asked for', async () => {
    const h = await host('cherished-classics');
    h.addFault({ fault: { kind: 'slow', delayMs: 1_500 }, pathPrefix: '/plates?page=1' });
    await gate().fetch(`${h.url}/about`, signal);

    // A second replica asks for another page while the slow one is on its way.
    const slow = gate().fetch(`${h.url}/plates?page=1`, signal);
    await eventually(async () => h.requestLog.find((e) => e.path === '/plates?page=1'));
    const next = await gate().fetch(`${h.url}/plates?page=2`, signal);
    await slow;

    const [answered, following] = h.requestLog.slice(-2);
    expect([answered?.path, following?.path]).toEqual(['/plates?page=1', '/plates?page=2']);
    expect(answered!.endedAt! - answered!.startedAt).toBeGreaterThanOrEqual(1_500);
    expect(following!.startedAt - answered!.endedAt!).toBeGreaterThanOrEqual(GAP_MS);
    expect(next).toMatchObject({ kind: 'fetched', result: { kind: 'ok' } });
  });
});
