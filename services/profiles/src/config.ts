import { commaList, parseConfig, serviceEnvSchema } from '@reggie/bus';

const schema = serviceEnvSchema.extend({
  /** Identity-provider user ids that become admins when their profile is first created. */
  ADMIN_CLERK_IDS: commaList,
});

export type ProfilesConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig(schema, env);
}
