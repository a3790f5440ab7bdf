import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/run.ts';
import { privateServersAvailable } from '../chaos/servers.ts';

// The short cut of the chaos suite (e2e/chaos): 200 writes across a NATS restart, against a
// NATS server and PostgreSQL cluster of its own, so the default run proves the audit too.
describe('chaos, short', () => {
  it.skipIf(!privateServersAvailable())(
    'a NATS restart during 200 offer and claim writes loses and duplicates nothing',
    async () => {
      const { rows, table } = await runChaos({
        tag: 'short',
        faults: ['nats restart'],
        operationsPerFault: 200,
        workers: 5,
        burstMs: 60_000,
        settleMs: 30_000,
      });

      for (const row of rows) {
        expect(row.problems, table).toEqual([]);
        expect({ lost: row.lost, duplicates: row.duplicates }).toEqual({ lost: 0, duplicates: 0 });
        expect(row.sent).toBeGreaterThanOrEqual(200);
        expect(row.acked).toBeGreaterThan(row.sent / 2);
      }
    },
    110_000,
  );
});
