import type { ServiceDefinition } from '@reggie/bus';
import { migrations } from '../migrations/index.ts';
import type { ProfilesConfig } from './config.ts';
import { profileCommands } from './handlers/profile-commands.ts';

export function profilesService(config: ProfilesConfig): ServiceDefinition<'profiles'> {
  return {
    name: 'profiles',
    env: config,
    migrations,
    commands: (deps) => profileCommands({ ...deps, adminClerkIds: config.ADMIN_CLERK_IDS }),
  };
}
