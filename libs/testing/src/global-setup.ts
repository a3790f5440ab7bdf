import type { TestProject } from 'vitest/node';
import './context.ts';
import { provisionInfrastructure } from './infrastructure.ts';

/** Provisions this run's database and bus prefix once, for every integration and e2e test. */
export default async function setup(project: TestProject) {
  const infra = await provisionInfrastructure();
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('natsUrl', infra.natsUrl);
  project.provide('busPrefix', infra.busPrefix);
  return () => infra.stop();
}
