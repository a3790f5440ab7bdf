import { runServiceProcess } from '@reggie/bus';
import { loadConfig } from './config.ts';
import { platesService } from './service.ts';

await runServiceProcess(platesService(loadConfig()));
