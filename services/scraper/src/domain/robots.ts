import { normalisePath, normalisePattern, patternMatches } from './robots-match.ts';

/** Our product token, as it must appear in a `User-agent` line to address us. */
export const REGGIE_PRODUCT_TOKEN = 'ReggieBot';

/** RFC 9309 asks crawlers to parse at least 500 KiB; we parse exactly that much. */
export const ROBOTS_PARSE_LIMIT_BYTES = 500 * 1024;

/** One Allow or Disallow line, with its pattern already normalised for comparison. */
export interface RobotsRule {
  allow: boolean;
  pattern: string;
}

/** A group: the user agents named at its head and the lines that follow them. */
export interface RobotsGroup {
  agents: string[];
  rules: RobotsRule[];
  crawlDelaySeconds: number | undefined;
}

/** A parsed robots.txt file. */
export interface RobotsFile {
  groups: RobotsGroup[];
  sitemaps: string[];
}

/** The rules that apply to one crawler, after group selection and merging. */
export interface AgentRules {
  rules: RobotsRule[];
  crawlDelaySeconds: number | undefined;
}

/**
 * Parses a robots.txt body. Never throws: unknown lines are skipped, and anything past
 * {@link ROBOTS_PARSE_LIMIT_BYTES} is ignored.
 */
export function parseRobots(body: string | Uint8Array): RobotsFile {
  const file: RobotsFile = { groups: [], sitemaps: [] };
  let current: RobotsGroup | undefined;
  let collectingAgents = false;
  for (const line of limitedLines(body)) {
    const entry = splitLine(line);
    if (!entry) continue;
    if (entry.key === 'user-agent') {
      if (!current || !collectingAgents) {
        current = { agents: [], rules: [], crawlDelaySeconds: undefined };
        file.groups.push(current);
      }
      current.agents.push(entry.value);
      collectingAgents = true;
    } else if (entry.key === 'sitemap') {
      if (entry.value) file.sitemaps.push(entry.value);
    } else if (current && applyGroupLine(current, entry.key, entry.value)) {
      collectingAgents = false;
    }
  }
  return file;
}

/**
 * Picks the rules for a product token: every group naming it (case-insensitively) is
 * merged; if none does, every `*` group is merged; if there is none either, nothing is
 * disallowed.
 */
export function selectRules(file: RobotsFile, productToken = REGGIE_PRODUCT_TOKEN): AgentRules {
  const token = productToken.toLowerCase();
  const named = file.groups.filter((g) => g.agents.some((a) => agentToken(a) === token));
  const chosen = named.length > 0 ? named : file.groups.filter((g) => g.agents.includes('*'));
  const delays = chosen.flatMap((g) =>
    g.crawlDelaySeconds === undefined ? [] : [g.crawlDelaySeconds],
  );
  return {
    rules: chosen.flatMap((g) => g.rules),
    crawlDelaySeconds: delays.length > 0 ? Math.max(...delays) : undefined,
  };
}

/**
 * Decides whether a URL (or its path with query) may be fetched. The longest matching
 * pattern wins, Allow wins a tie, no match means allowed, and `/robots.txt` is always
 * allowed.
 */
export function isAllowed(rules: AgentRules, target: string | URL): boolean {
  const path = normalisePath(pathOf(target));
  if (path === '/robots.txt') return true;

  let best: RobotsRule | undefined;
  for (const rule of rules.rules) {
    if (!patternMatches(rule.pattern, path)) continue;
    if (!best || rule.pattern.length > best.pattern.length) best = rule;
    else if (rule.pattern.length === best.pattern.length && rule.allow) best = rule;
  }
  return best?.allow ?? true;
}

/** Parses, selects our group and answers in one step; handy for one-off checks. */
export function robotsAllows(body: string, target: string | URL, token?: string): boolean {
  return isAllowed(selectRules(parseRobots(body), token), target);
}

// Returns true when the line is a group member line, which ends the run of
// user-agent lines that opens a group.
function applyGroupLine(group: RobotsGroup, key: string, value: string): boolean {
  if (key === 'allow' || key === 'disallow') {
    // An empty pattern matches nothing: an empty Disallow therefore allows everything.
    if (value)
      group.rules.push({ allow: key === 'allow', pattern: normalisePattern(rooted(value)) });
    return true;
  }
  if (key === 'crawl-delay') {
    const seconds = Number(value);
    if (value && Number.isFinite(seconds) && seconds >= 0) {
      group.crawlDelaySeconds = Math.max(group.crawlDelaySeconds ?? 0, seconds);
    }
    return true;
  }
  return false;
}

function* limitedLines(body: string | Uint8Array): Generator<string> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const text = new TextDecoder().decode(bytes.subarray(0, ROBOTS_PARSE_LIMIT_BYTES));
  yield* text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

function splitLine(raw: string): { key: string; value: string } | undefined {
  const line = raw.replace(/#.*$/, '');
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  return {
    key: line.slice(0, colon).trim().toLowerCase(),
    value: line.slice(colon + 1).trim(),
  };
}

// The product token is the leading run of letters, `_` and `-` (so "ReggieBot/2.1"
// names ReggieBot); `*` has no such run and is handled by the caller.
function agentToken(agent: string): string {
  return (/^[A-Za-z_-]+/.exec(agent)?.[0] ?? '').toLowerCase();
}

// Patterns should start with `/`; a bare "private" is read as "/private", as the big
// crawlers do, rather than silently never matching.
function rooted(pattern: string): string {
  return pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
}

function pathOf(target: string | URL): string {
  if (typeof target !== 'string') return `${target.pathname}${target.search}`;
  if (/^https?:\/\//i.test(target)) return pathOf(new URL(target));
  return target === '' ? '/' : target;
}
