import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode } from 'domhandler';
import type { CssParserDefinition, ParserDefinition } from './parser-definition.ts';

/** One plate as the dealer's page shows it; nothing is validated beyond trimming. */
export interface RawListing {
  registrationRaw: string;
  priceRaw: string;
  /** Absolute URL of the listing's own page, or of the page it was found on. */
  url: string;
}

export type PageProblemReason =
  | 'malformed_html'
  | 'no_listings'
  | 'too_many_listings'
  | 'missing_registration'
  | 'implausible_registration'
  | 'missing_price'
  | 'duplicate_listing'
  | 'bad_link'
  | 'next_page_rejected'
  | 'parse_failed';

export interface PageProblem {
  reason: PageProblemReason;
  detail: string;
}

export interface ParsedPage {
  listings: RawListing[];
  /** Absolute URL of the next listing page, only ever on the same host as this one. */
  nextPage?: string;
  problems: PageProblem[];
}

export interface ParsePageOptions {
  /**
   * Screens registration text before it is returned. The default only rejects text that
   * cannot be any UK mark (wrong length, no letters or no digits); the service can pass
   * the full DVLA style check from the registration library instead.
   */
  isPlausibleRegistration?: (raw: string) => boolean;
  maxListings?: number;
}

interface Candidate {
  registration: string;
  price: string;
  url: string;
}

const DEFAULT_MAX_LISTINGS = 2_000;
// parse5 flags a missing doctype on most real pages; it says nothing about the markup.
const HARMLESS_PARSE_ERRORS = new Set(['missing-doctype']);

/**
 * Extracts listings and the next page link from one fetched page. Never throws: every
 * oddity, from broken markup to duplicates, comes back in `problems`.
 */
export function parsePage(
  html: string,
  pageUrl: string,
  definition: ParserDefinition,
  options: ParsePageOptions = {},
): ParsedPage {
  const problems: PageProblem[] = [];
  try {
    const $ = loadReporting(html, problems);
    const candidates =
      definition.kind === 'css'
        ? cssCandidates($, definition, pageUrl, problems)
        : [plateCandidate($, definition.page, pageUrl)];
    const listings = screen(candidates, options, problems);
    const nextPage =
      definition.kind === 'css' ? nextPageUrl($, definition, pageUrl, problems) : undefined;
    return nextPage ? { listings, nextPage, problems } : { listings, problems };
  } catch (error) {
    problems.push({ reason: 'parse_failed', detail: String(error) });
    return { listings: [], problems };
  }
}

/** The default registration screen: 2 to 8 letters and digits, with at least one of each. */
export function looksLikeRegistration(raw: string): boolean {
  const compact = raw.replace(/[\s-]/g, '');
  return /^[A-Za-z0-9]{2,8}$/.test(compact) && /\d/.test(compact) && /[A-Za-z]/.test(compact);
}

function loadReporting(html: string, problems: PageProblem[]): CheerioAPI {
  const codes = new Set<string>();
  const onParseError = (error: { code: string }) => {
    if (!HARMLESS_PARSE_ERRORS.has(error.code)) codes.add(error.code);
  };
  // cheerio hands its options to parse5, whose error hook is not in cheerio's types.
  const $ = load(html, { onParseError } as Parameters<typeof load>[1]);
  if (codes.size > 0) {
    problems.push({ reason: 'malformed_html', detail: [...codes].slice(0, 10).join(', ') });
  }
  return $;
}

function cssCandidates(
  $: CheerioAPI,
  definition: CssParserDefinition,
  pageUrl: string,
  problems: PageProblem[],
): Candidate[] {
  const elements = $(definition.listing).toArray();
  if (elements.length === 0) {
    problems.push({ reason: 'no_listings', detail: `nothing matched ${definition.listing}` });
  }
  return elements.map((element, index) => ({
    registration: textOf($, element, definition.registration),
    price: textOf($, element, definition.price),
    url: listingUrl($, element, definition.link, pageUrl, index, problems),
  }));
}

function plateCandidate(
  $: CheerioAPI,
  selectors: { registration: string; price: string },
  pageUrl: string,
): Candidate {
  const root = $.root().get(0)!;
  return {
    registration: textOf($, root, selectors.registration),
    price: textOf($, root, selectors.price),
    url: pageUrl,
  };
}

function screen(candidates: Candidate[], options: ParsePageOptions, problems: PageProblem[]) {
  const plausible = options.isPlausibleRegistration ?? looksLikeRegistration;
  const max = options.maxListings ?? DEFAULT_MAX_LISTINGS;
  const seen = new Map<string, Candidate>();
  const listings: RawListing[] = [];

  for (const [index, candidate] of candidates.entries()) {
    const problem = rejectReason(candidate, index, plausible, seen);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (listings.length === max) {
      problems.push({ reason: 'too_many_listings', detail: `kept the first ${max}` });
      break;
    }
    seen.set(compact(candidate.registration), candidate);
    listings.push({
      registrationRaw: candidate.registration,
      priceRaw: candidate.price,
      url: candidate.url,
    });
  }
  return listings;
}

function rejectReason(
  candidate: Candidate,
  index: number,
  plausible: (raw: string) => boolean,
  seen: Map<string, Candidate>,
): PageProblem | undefined {
  const at = `listing ${index + 1}`;
  const { registration, price } = candidate;
  if (registration === '') return { reason: 'missing_registration', detail: at };
  if (!plausible(registration)) {
    return { reason: 'implausible_registration', detail: `${at}: ${JSON.stringify(registration)}` };
  }
  if (price === '') return { reason: 'missing_price', detail: `${at}: ${registration}` };
  const first = seen.get(compact(registration));
  if (first) {
    const prices = first.price === price ? price : `${first.price} and ${price}`;
    return { reason: 'duplicate_listing', detail: `${at}: ${registration} again (${prices})` };
  }
  return undefined;
}

function listingUrl(
  $: CheerioAPI,
  element: AnyNode,
  linkSelector: string | undefined,
  pageUrl: string,
  index: number,
  problems: PageProblem[],
): string {
  if (!linkSelector) return pageUrl;
  const link = $(element).find(linkSelector).addBack(linkSelector).first();
  const url = resolveHttp(link.attr('href'), pageUrl);
  if (url) return url;
  problems.push({
    reason: 'bad_link',
    detail: `listing ${index + 1}: ${link.attr('href') ?? 'no href'}`,
  });
  return pageUrl;
}

function nextPageUrl(
  $: CheerioAPI,
  definition: CssParserDefinition,
  pageUrl: string,
  problems: PageProblem[],
): string | undefined {
  if (!definition.nextPage) return undefined;
  const href = $(definition.nextPage).first().attr('href');
  if (href === undefined) return undefined;

  const next = resolveHttp(href, pageUrl);
  const reject = (why: string) => {
    problems.push({ reason: 'next_page_rejected', detail: `${why}: ${href}` });
    return undefined;
  };
  if (!next) return reject('not an http(s) link');
  if (new URL(next).host !== new URL(pageUrl).host) return reject('another host');
  if (next === withoutFragment(pageUrl)) return reject('links to itself');
  return next;
}

function textOf($: CheerioAPI, scope: AnyNode, selector: string): string {
  const found = $(scope).find(selector).addBack(selector).first();
  return found.text().replace(/\s+/g, ' ').trim();
}

function resolveHttp(href: string | undefined, base: string): string | undefined {
  if (href === undefined || href.trim() === '') return undefined;
  const url = URL.canParse(href.trim(), base) ? new URL(href.trim(), base) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  url.hash = '';
  return url.toString();
}

function withoutFragment(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.toString();
}

function compact(registration: string): string {
  return registration.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}
