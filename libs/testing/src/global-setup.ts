import type { TestProject } from 'vitest/node';
import './context.ts';
import { provisionInfrastructure } from './infrastructure.ts';
import { provisionS3 } from './s3-provision.ts';

/** Provisions this run's database, bus prefix and S3 bucket once, for every integration and e2e test. */
export default async function setup(project: TestProject) {
  const infra = await provisionInfrastructure();
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('natsUrl', infra.natsUrl);
  project.provide('busPrefix', infra.busPrefix);
  const s3 = await provisionS3(infra.busPrefix);
  project.provide('s3', s3.settings);
  return async () => {
    await s3.stop();
    await infra.stop();
  };
}
