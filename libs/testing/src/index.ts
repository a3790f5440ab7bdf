export * from './clerk.ts';
export * from './s3-server.ts';
