import { runServiceProcess } from '@reggie/bus';
import { loadConfig } from './config.ts';
import { scraperService } from './service.ts';

await runServiceProcess(scraperService(loadConfig()));
