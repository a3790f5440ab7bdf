import { describe, expect, it } from 'vitest';
import { runChaos } from './run.ts';
import { privateServersAvailable } from './servers.ts';

describe('chaos', () => {
  it.skipIf(!privateServersAvailable())(
    'over 1,000 offer and claim writes survive a NATS restart, SIGKILLed services and a ' +
      'PostgreSQL restart with nothing lost, duplicated or contradictory',
    async () => {
      const { rows, table } = await runChaos({
        tag: 'full',
        faults: ['nats restart', 'service SIGKILL', 'postgres restart'],
        operationsPerFault: 400,
        workers: 6,
        burstMs: 180_000,
        settleMs: 120_000,
        // Longer than the 20 s after which a NATS client gives up unless told to retry forever.
        natsDownMs: 25_000,
        postgresDownMs: 10_000,
      });

      expect(rows.at(-1)?.sent ?? 0).toBeGreaterThanOrEqual(1_000);
      for (const row of rows) {
        expect(row.problems, table).toEqual([]);
        expect({ lost: row.lost, duplicates: row.duplicates }).toEqual({ lost: 0, duplicates: 0 });
        expect(row.acked).toBeGreaterThan(row.sent / 2);
      }
    },
    14 * 60_000,
  );
});
