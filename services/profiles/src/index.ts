export { loadConfig } from './config.ts';
export { profilesService } from './service.ts';
