export * from './database.ts';
export * from './documents.ts';
export * from './processes.ts';
export * from './system.ts';
