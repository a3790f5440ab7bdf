export { loadConfig } from './config.ts';
export { DEV_PROFILES, seedDevProfiles } from './dev-profiles.ts';
export { profilesService } from './service.ts';
