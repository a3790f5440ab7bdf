export * from './define.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './profiles.ts';
export * from './registry.ts';
export * from './subjects.ts';
export * from './system.ts';
