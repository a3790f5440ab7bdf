import { randomUUID } from 'node:crypto';
import type { Actor } from '@reggie/contracts';
import {
  eventually,
  ok,
  publishEvent,
  type ServiceHarness,
  serviceEnv,
  startReplicas,
  testBus,
} from '@reggie/testing';
import { loadConfig, type PlatesOptions, platesService } from '../src/index.ts';

export { expectError, freshMark, ok, outboxEvents, publishEvent } from '@reggie/testing';

export type PlatesHarness = ServiceHarness;

/**
 * A plates service of the test file's own, on its own bus prefix, and a client for it.
 * With `replicas` above one, further instances join the same queue group, as in production.
 */
export async function startPlates(
  tag: string,
  env: Record<string, string> = {},
  options: PlatesOptions = {},
  replicas = 1,
): Promise<PlatesHarness> {
  const bus = testBus(tag);
  // Tests sweep by hand; a timer sweeping behind their back would make counts racy.
  const config = loadConfig(serviceEnv(bus, { OFFER_SWEEP_INTERVAL_MS: '3600000', ...env }));
  return startReplicas(bus, () => platesService(config, options), replicas);
}

export const newActor = (): Actor => ({ profileId: randomUUID(), role: 'user' });

/** Makes `actor` the holder of `registration` the way production does: a claim approval. */
export async function holdPlate(h: PlatesHarness, registration: string, actor: Actor) {
  const normalised = registration.replace(/\s/g, '');
  await publishEvent(h, 'claim.approved', 'claims', {
    claimId: randomUUID(),
    registration: normalised,
    claimantProfileId: actor.profileId,
    approvedAt: new Date().toISOString(),
  });
  await eventually(
    async () => {
      const plate = ok(await h.client.send('plates.get', { registration, actor }));
      return plate.heldByYou ? plate : undefined;
    },
    15_000,
    `holding of ${registration}`,
  );
}
