import { describe, expect, it } from 'vitest';
import {
  isAllowed,
  parseRobots,
  ROBOTS_PARSE_LIMIT_BYTES,
  robotsAllows,
  selectRules,
} from './robots.ts';
import { normalisePath, normalisePattern, patternMatches } from './robots-match.ts';

// Modelled on the shape of RFC 9309's section 5 example, with our own agents and paths.
const SHARED_FILE = [
  'User-Agent: *',
  'Disallow: *.gif$',
  'Disallow: /stock/',
  'Allow: /news/',
  '',
  'User-Agent: ReggieBot',
  'Disallow: /',
  'Allow: /stock/page.html',
  'Allow: /stock/plate.gif',
  '',
  'User-Agent: PlateHound',
  'User-Agent: reg-finder',
  'Disallow: /stock/page.html',
  '',
  'User-Agent: QuietBot',
  '',
].join('\n');

type Row = [name: string, robots: string, path: string, allowed: boolean, agent?: string];

const table: Row[] = [
  // Group selection.
  ['our group applies over *', SHARED_FILE, '/news/today', false],
  ['our group allows a listed page', SHARED_FILE, '/stock/page.html', true],
  ['our group allows a listed gif', SHARED_FILE, '/stock/plate.gif', true],
  ['our group disallows the rest', SHARED_FILE, '/', false],
  ['* group: gif anywhere is disallowed', SHARED_FILE, '/a/b.gif', false, 'OtherBot'],
  ['* group: gif$ needs the end', SHARED_FILE, '/a/b.gif?x=1', true, 'OtherBot'],
  ['* group: stock folder disallowed', SHARED_FILE, '/stock/x', false, 'OtherBot'],
  ['* group: news allowed', SHARED_FILE, '/news/x', true, 'OtherBot'],
  ['* group: unlisted allowed', SHARED_FILE, '/about', true, 'OtherBot'],
  ['agents sharing a group: first', SHARED_FILE, '/stock/page.html', false, 'PlateHound'],
  ['agents sharing a group: second', SHARED_FILE, '/stock/page.html', false, 'reg-finder'],
  ['agents sharing a group: other path', SHARED_FILE, '/stock/other', true, 'reg-finder'],
  ['an empty group still wins over *', SHARED_FILE, '/stock/x', true, 'QuietBot'],
  ['product token is case-insensitive', 'User-agent: reggiebot\nDisallow: /x', '/x', false],
  ['upper-case token', 'User-agent: REGGIEBOT\nDisallow: /x', '/x', false],
  ['version after the token', 'User-agent: ReggieBot/2.1\nDisallow: /x', '/x', false],
  ['a longer name is not us', 'User-agent: ReggieBotPlus\nDisallow: /x', '/x', true],
  ['a shorter name is not us', 'User-agent: Reggie\nDisallow: /x', '/x', true],
  ['falls back to *', 'User-agent: Other\nDisallow: /\n\nUser-agent: *\nDisallow: /y', '/x', true],
  ['no group for us, no *', 'User-agent: Other\nDisallow: /', '/x', true],
  [
    'same agent groups merge',
    'User-agent: ReggieBot\nDisallow: /a\n\nUser-agent: ReggieBot\nDisallow: /b',
    '/b',
    false,
  ],
  ['* groups merge', 'User-agent: *\nDisallow: /a\nUser-agent: *\nDisallow: /b', '/b', false],
  ['rules before any group are ignored', 'Disallow: /\nUser-agent: *\nAllow: /x', '/y', true],
  ['keys are case-insensitive', 'USER-AGENT: *\nDISALLOW: /x', '/x', false],
  ['comments are ignored', '# hi\nUser-agent: * # all\nDisallow: /x # secret', '/x', false],
  ['spaces around colon', 'User-agent :  *\nDisallow :  /x', '/x/y', false],
  ['CRLF line endings', 'User-agent: *\r\nDisallow: /x\r\n', '/x', false],
  ['CR line endings', 'User-agent: *\rDisallow: /x\r', '/x', false],
  ['byte order mark', '\uFEFFUser-agent: *\nDisallow: /x', '/x', false],
  [
    'sitemap does not end a group',
    'User-agent: *\nSitemap: https://a/s.xml\nUser-agent: B\nDisallow: /x',
    '/x',
    false,
  ],
  ['lines without colon skipped', 'User-agent: *\nDisallow /x\nDisallow: /y', '/x', true],
  // Longest match and ties.
  [
    'longer disallow beats allow',
    'User-agent: *\nAllow: /shop/\nDisallow: /shop/old.gif',
    '/shop/old.gif',
    false,
  ],
  [
    'longer allow beats disallow',
    'User-agent: *\nDisallow: /shop\nAllow: /shop/new',
    '/shop/new/1',
    true,
  ],
  ['shorter allow loses', 'User-agent: *\nDisallow: /shop\nAllow: /shop/new', '/shop/old', false],
  ['allow wins a tie', 'User-agent: *\nDisallow: /page\nAllow: /page', '/page', true],
  ['allow wins a tie in any order', 'User-agent: *\nAllow: /page\nDisallow: /page', '/page', true],
  ['wildcard length counts in octets', 'User-agent: *\nAllow: /p*\nDisallow: /pa', '/pa', true],
  ['empty disallow allows all', 'User-agent: *\nDisallow:', '/anything', true],
  ['disallow / blocks all', 'User-agent: *\nDisallow: /', '/anything', false],
  ['empty allow is a no-op', 'User-agent: *\nAllow:\nDisallow: /', '/x', false],
  ['matching is case-sensitive', 'User-agent: *\nDisallow: /Stock', '/stock', true],
  ['prefix match', 'User-agent: *\nDisallow: /fish', '/fish.html', false],
  ['prefix match folder', 'User-agent: *\nDisallow: /fish/', '/fish', true],
  ['query is part of the path', 'User-agent: *\nDisallow: /list?sort=', '/list?sort=price', false],
  ['query differs', 'User-agent: *\nDisallow: /list?sort=', '/list?page=2', true],
  ['pattern without slash is rooted', 'User-agent: *\nDisallow: private', '/private/x', false],
  // Special characters.
  ['* matches any run', 'User-agent: *\nDisallow: /*.php', '/index.php', false],
  ['* matches nested', 'User-agent: *\nDisallow: /*.php', '/a/b/c.php?x', false],
  ['* then miss', 'User-agent: *\nDisallow: /*.php', '/a/b.html', true],
  ['$ anchors the end', 'User-agent: *\nDisallow: /*.php$', '/index.php', false],
  ['$ rejects a longer path', 'User-agent: *\nDisallow: /*.php$', '/index.php5', true],
  ['$ rejects a query', 'User-agent: *\nDisallow: /*.php$', '/index.php?a', true],
  ['exact path with $', 'User-agent: *\nDisallow: /shop$', '/shop', false],
  ['exact path with $ miss', 'User-agent: *\nDisallow: /shop$', '/shop/', true],
  ['lone * matches everything', 'User-agent: *\nDisallow: *', '/x', false],
  ['many stars', 'User-agent: *\nDisallow: /a*b*c*d', '/aXbYcZd', false],
  ['literal * in URL needs %2A', 'User-agent: *\nDisallow: /file-%2A.html', '/file-*.html', false],
  ['literal $ in URL needs %24', 'User-agent: *\nDisallow: /price-%24', '/price-$', false],
  ['inner $ is literal', 'User-agent: *\nDisallow: /a$b', '/a$b', false],
  // Percent-encoding normalisation.
  ['UTF-8 pattern vs encoded URL', 'User-agent: *\nDisallow: /café', '/caf%C3%A9', false],
  ['encoded pattern vs UTF-8 URL', 'User-agent: *\nDisallow: /caf%C3%A9', '/café', false],
  ['hex case is ignored', 'User-agent: *\nDisallow: /caf%c3%a9', '/caf%C3%A9', false],
  ['unreserved escapes decode', 'User-agent: *\nDisallow: /foo/%62%61%7A', '/foo/baz', false],
  ['unreserved in URL decodes', 'User-agent: *\nDisallow: /foo/baz', '/foo/%62%61%7A', false],
  ['reserved escapes stay', 'User-agent: *\nDisallow: /a%2Fb', '/a/b', true],
  ['Japanese path', 'User-agent: *\nDisallow: /foo/bar/ツ', '/foo/bar/%E3%83%84', false],
  ['robots.txt always allowed', 'User-agent: *\nDisallow: /', '/robots.txt', true],
  ['robots.txt via full URL', 'User-agent: *\nDisallow: /', 'https://a.test/robots.txt', true],
  ['full URLs are reduced to path', 'User-agent: *\nDisallow: /x', 'https://a.test/x?y#z', false],
];

describe('robots.txt', () => {
  it.each(table)('%s', (_name, robots, path, allowed, agent) => {
    expect(robotsAllows(robots, path, agent)).toBe(allowed);
  });

  it('takes the largest crawl-delay of the merged groups', () => {
    const file = parseRobots(
      'User-agent: ReggieBot\nCrawl-delay: 3\nUser-agent: reggiebot\nCrawl-delay: 5.5',
    );
    expect(selectRules(file).crawlDelaySeconds).toBe(5.5);
  });

  it('ignores a crawl-delay that is not a number', () => {
    const file = parseRobots('User-agent: *\nCrawl-delay: soon\nDisallow: /x');
    expect(selectRules(file).crawlDelaySeconds).toBeUndefined();
  });

  it('reads the crawl-delay of the * group when we have none', () => {
    const file = parseRobots('User-agent: *\nCrawl-delay: 4');
    expect(selectRules(file).crawlDelaySeconds).toBe(4);
  });

  it('collects sitemaps outside groups', () => {
    const file = parseRobots('Sitemap: https://a.test/s.xml\nUser-agent: *\nDisallow:');
    expect(file.sitemaps).toEqual(['https://a.test/s.xml']);
  });

  it('parses no further than 500 KiB', () => {
    const filler = `# ${'x'.repeat(ROBOTS_PARSE_LIMIT_BYTES)}\n`;
    const file = parseRobots(`User-agent: *\nDisallow: /a\n${filler}Disallow: /b`);
    expect(isAllowed(selectRules(file), '/a')).toBe(false);
    expect(isAllowed(selectRules(file), '/b')).toBe(true);
  });

  it('accepts bytes as well as text', () => {
    const file = parseRobots(new TextEncoder().encode('User-agent: *\nDisallow: /a'));
    expect(isAllowed(selectRules(file), '/a')).toBe(false);
  });

  it('matches a hostile pattern quickly', () => {
    const rules = selectRules(parseRobots(`User-agent: *\nDisallow: /${'*a'.repeat(200)}b`));
    const started = performance.now();
    expect(isAllowed(rules, `/${'a'.repeat(5_000)}`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('robots.txt normalisation', () => {
  it('encodes specials in paths but keeps them in patterns', () => {
    expect(normalisePath('/a*b$')).toBe('/a%2Ab%24');
    expect(normalisePattern('/a*b$')).toBe('/a*b$');
    expect(normalisePattern('/a$b')).toBe('/a%24b');
  });

  it('encodes a stray percent sign', () => {
    expect(normalisePath('/100%')).toBe('/100%25');
    expect(patternMatches(normalisePattern('/100%'), normalisePath('/100%25'))).toBe(true);
  });

  it('encodes spaces and controls', () => {
    expect(normalisePath('/a b')).toBe('/a%20b');
  });
});
