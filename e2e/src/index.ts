export * from './processes.ts';
export * from './system.ts';
