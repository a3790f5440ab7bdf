import { testBus, testS3 } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, formatTable, scrapeCounter, settle } from '../chaos/audit.ts';
import { sleep } from '../chaos/servers.ts';
import { burst, castOf, createClient, type Ledger, markSource } from '../chaos/workload.ts';
import {
  createScratchDatabase,
  type RunningSystem,
  type ScratchDatabase,
  type ServiceProcess,
  startSystem,
} from '../src/index.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const cast = castOf('rolling', 10, 16);
const bus = testBus('rolling');

let system: RunningSystem;
let scratch: ScratchDatabase;
/** The gateways a client may use; a replica stays listed until it has exited. */
const gateways: string[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase(bus.databaseUrl, 'rolling');
  const shutdown = { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
  system = await startSystem({
    bus: { ...bus, databaseUrl: scratch.url },
    services: ['profiles', 'plates', 'plates', 'claims'],
    env: {
      profiles: { ADMIN_CLERK_IDS: cast.admin },
      plates: shutdown,
      gateway: shutdown,
    },
  });
  gateways.push(system.url, await gatewayUrl(await system.startReplica('gateway')));
});

afterAll(async () => {
  await system?.stop();
  await scratch?.drop();
});

async function gatewayUrl(proc: ServiceProcess): Promise<string> {
  const line = await proc.waitForLog((l) => l.msg === 'gateway listening');
  return `http://127.0.0.1:${line.port as number}`;
}

interface Stopped {
  name: string;
  code: number | null;
  ms: number;
}

/** SIGTERMs `old` while its successor starts, and measures how long `old` took to leave. */
async function roll(old: ServiceProcess): Promise<{ stopped: Stopped; next: ServiceProcess }> {
  const started = Date.now();
  const stopping = old.stop('SIGTERM').then((code) => ({ code, ms: Date.now() - started }));
  const [exit, next] = await Promise.all([stopping, system.startReplica(old.name as 'plates')]);
  return { stopped: { name: old.name, ...exit }, next };
}

describe('rolling restart', () => {
  it('SIGTERMing each plates and gateway replica in turn under load loses no acknowledged work', async () => {
    const ledger: Ledger = { ops: [], phase: 'rolling' };
    const client = createClient({ gateways: () => gateways, token: system.token, ledger });
    let done = false;
    const traffic = burst(client, ledger, {
      cast,
      nextMark: markSource(),
      operations: 100_000,
      workers: 4,
      deadlineMs: 120_000,
      stop: () => done,
    });

    const stopped: Stopped[] = [];
    const fresh: ServiceProcess[] = [];
    try {
      await sleep(3_000);
      for (const old of system.processes.filter((p) => p.name === 'plates')) {
        const { stopped: s, next } = await roll(old);
        stopped.push(s);
        fresh.push(next);
        await sleep(2_000);
      }
      for (const old of system.processes.filter((p) => p.name === 'gateway')) {
        const oldUrl = await gatewayUrl(old);
        const { stopped: s, next } = await roll(old);
        gateways.push(await gatewayUrl(next));
        gateways.splice(gateways.indexOf(oldUrl), 1);
        stopped.push(s);
        await sleep(2_000);
      }
    } finally {
      done = true;
      await traffic;
    }

    console.log(`rolling restart exits: ${JSON.stringify(stopped)}`);
    for (const s of stopped) {
      expect(s.code, s.name).toBe(0);
      expect(s.ms, s.name).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    }
    for (const old of system.processes.filter((p) => p.name === 'plates' && !fresh.includes(p)))
      expect(old.output.some((l) => l.includes('"stopped"'))).toBe(true);

    // The new plates replicas took over the commands.
    const ports = await Promise.all(
      fresh.map(async (p) => (await p.waitForLog((l) => l.msg === 'service ready')).httpPort),
    );
    const handled = await scrapeCounter(ports as number[], 'reggie_command_duration_seconds_count');
    expect(handled.every((n) => n > 0)).toBe(true);

    await settle(scratch.url, 60_000);
    const row = await audit('rolling restart', {
      databaseUrl: scratch.url,
      natsUrl: bus.natsUrl,
      prefix: bus.busPrefix,
      ledger,
      s3: testS3(),
    });
    console.log(formatTable([row]));
    expect(row.problems).toEqual([]);
    expect({ lost: row.lost, duplicates: row.duplicates }).toEqual({ lost: 0, duplicates: 0 });
    expect(row.acked).toBeGreaterThan(100);
    expect(row.applied).toBeGreaterThan(0);
  }, 150_000);
});
