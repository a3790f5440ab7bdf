import { runServiceProcess } from '@reggie/bus';
import { loadConfig } from './config.ts';
import { profilesService } from './service.ts';

await runServiceProcess(profilesService(loadConfig()));
