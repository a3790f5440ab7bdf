export * from './s3-server.ts';
export * from './clerk.ts';
