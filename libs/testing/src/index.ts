export * from './clerk.ts';
export * from './context.ts';
export * from './infrastructure.ts';
export * from './ports.ts';
export * from './s3-provision.ts';
export * from './s3-server.ts';
export * from './service-harness.ts';
