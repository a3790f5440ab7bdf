// Prints a dev session token signed with the local key pair, so the API can be tried by hand:
//   npm run token -- --sub user_123 [--ttl 12h] [--azp http://localhost:3000]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEV_PRIVATE_KEY_FILE, mintToken } from '@reggie/testing';

const USAGE = 'usage: npm run token -- --sub <id> [--ttl 12h] [--azp http://localhost:3000]';
const DEV_DIR = new URL('../.dev/', import.meta.url);
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
// Real Clerk tokens live 60 s; a hand-held dev token should outlast a working session.
const DEFAULT_TTL = '12h';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      ttl: { type: 'string', default: DEFAULT_TTL },
      azp: { type: 'string' },
    },
  });
  if (!values.sub) fail(`--sub is required\n${USAGE}`);

  const ttlSeconds = parseTtl(values.ttl);
  const privateKeyPem = await readPrivateKey();
  const claims = { sub: values.sub, ...(values.azp ? { azp: values.azp } : {}) };
  process.stdout.write(`${mintToken(privateKeyPem, claims, { ttlSeconds })}\n`);
}

/** `90`, `90s`, `15m`, `12h` or `7d` in seconds. */
function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) fail(`--ttl must look like 90, 90s, 15m, 12h or 7d, got "${text}"`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}

async function readPrivateKey(): Promise<string> {
  const path = new URL(DEV_PRIVATE_KEY_FILE, DEV_DIR);
  try {
    return await readFile(path, 'utf8');
  } catch {
    fail(`no dev key at .dev/${DEV_PRIVATE_KEY_FILE}; run \`npm run dev\` once to create it`);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

await main();
