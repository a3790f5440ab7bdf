// Loaded before anything else in main.ts, so that instrumentation sees pg and http load.
import { startTracing } from '@reggie/bus/tracing';

export const tracing = startTracing('profiles');
