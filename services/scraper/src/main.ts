// First: tracing must be set up before anything loads pg or http.
import './tracing.ts';
import { runServiceProcess } from '@reggie/bus';
import { loadConfig } from './config.ts';
import { scraperService } from './service.ts';
import { tracing } from './tracing.ts';

await runServiceProcess(scraperService(loadConfig()), { afterStop: tracing.shutdown });
